import CZeroMQ

/// CurveZMQ key pairs as 40-character Z85 strings.
public enum Curve {
  /// Generates a fresh key pair (used by tests that play the kernel's side).
  public static func generateKeyPair() throws -> (publicKey: String, secretKey: String) {
    // zmq_curve_keypair writes 40 characters and a NUL into each buffer.
    var publicKey = [CChar](repeating: 0, count: 41)
    var secretKey = [CChar](repeating: 0, count: 41)
    if zmq_curve_keypair(&publicKey, &secretKey) != 0 {
      throw ZMQError.last("zmq_curve_keypair")
    }
    func text(_ chars: [CChar]) -> String {
      String(decoding: chars.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    return (text(publicKey), text(secretKey))
  }
}
