import Crypto

/// Signs and verifies Jupyter messages exactly as jupyter_client's `Session`:
/// an HMAC over the header, parent header, metadata and content frames as
/// sent, written as lowercase hex. An empty key means messages are unsigned.
public struct MessageSigner: Sendable {
  // A keyed HMAC state is prepared once; each message starts from a copy of it.
  private enum Keyed: Sendable {
    case sha256(HMAC<SHA256>)
    case sha512(HMAC<SHA512>)
    case md5(HMAC<Insecure.MD5>)
  }

  private let keyed: Keyed?

  public init(scheme: SignatureScheme, key: Secret) {
    guard !key.isEmpty else {
      keyed = nil
      return
    }
    let symmetric = SymmetricKey(data: key.bytes)
    switch scheme {
    case .hmacSHA256: keyed = .sha256(HMAC(key: symmetric))
    case .hmacSHA512: keyed = .sha512(HMAC(key: symmetric))
    case .hmacMD5: keyed = .md5(HMAC(key: symmetric))
    }
  }

  /// Whether messages carry signatures at all (the key is not empty).
  public var isSigning: Bool { keyed != nil }

  /// The raw MAC of the four signed parts; empty when unsigned.
  public func mac(_ parts: [UnsafeRawBufferPointer]) -> [UInt8] {
    func run<H: HashFunction>(_ prototype: HMAC<H>) -> [UInt8] {
      var hmac = prototype
      for part in parts { hmac.update(data: part) }
      return Array(hmac.finalize())
    }
    switch keyed {
    case nil: return []
    case .sha256(let prototype): return run(prototype)
    case .sha512(let prototype): return run(prototype)
    case .md5(let prototype): return run(prototype)
    }
  }

  /// The signature frame for the four parts: lowercase hex, or empty when unsigned.
  public func signature(_ parts: [UnsafeRawBufferPointer]) -> [UInt8] {
    Hex.encode(mac(parts))
  }

  /// The signature frame for four byte arrays (used when sending requests).
  public func signature(_ header: [UInt8], _ parent: [UInt8], _ metadata: [UInt8], _ content: [UInt8])
    -> [UInt8]
  {
    header.withUnsafeBytes { h in
      parent.withUnsafeBytes { p in
        metadata.withUnsafeBytes { m in
          content.withUnsafeBytes { c in signature([h, p, m, c]) }
        }
      }
    }
  }

  /// Checks a received signature against the MAC in constant time.
  /// Returns the MAC (for the replay guard), or nil when the signature is wrong.
  public func verify(signature: UnsafeRawBufferPointer, parts: [UnsafeRawBufferPointer]) -> [UInt8]? {
    let expected = mac(parts)
    guard signature.count == expected.count * 2 else { return nil }
    var difference: UInt8 = 0
    for (index, byte) in expected.enumerated() {
      difference |= signature[2 * index] ^ Hex.digits[Int(byte >> 4)]
      difference |= signature[2 * index + 1] ^ Hex.digits[Int(byte & 0x0f)]
    }
    return difference == 0 ? expected : nil
  }
}

/// Lowercase hexadecimal, as Python's `hexdigest()` writes it.
enum Hex {
  static let digits: [UInt8] = Array("0123456789abcdef".utf8)

  static func encode(_ bytes: [UInt8]) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0x0f)])
    }
    return out
  }
}
