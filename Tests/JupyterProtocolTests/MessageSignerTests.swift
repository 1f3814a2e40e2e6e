import Testing

@testable import JupyterProtocol

@Suite struct MessageSignerTests {
  /// Calls `body` with the four signed parts and the signature frame of `frames`.
  private func withParts<R>(
    _ frames: [[UInt8]], delimiter: Int,
    _ body: (_ signature: UnsafeRawBufferPointer, _ parts: [UnsafeRawBufferPointer]) -> R
  ) -> R {
    let owned = TestFrames(frames)
    return body(owned[delimiter + 1], (2...5).map { owned[delimiter + $0] })
  }

  @Test(arguments: SigningFixture.vectors)
  func signatureMatchesJupyterClient(vector: SigningVector) throws {
    let frames = try vector.wireFrames()
    let signer = try vector.signer()
    let ours = withParts(frames, delimiter: vector.delimiterIndex) { _, parts in
      signer.signature(parts)
    }
    #expect(ours == frames[vector.delimiterIndex + 1])
    let d = vector.delimiterIndex
    #expect(signer.signature(frames[d + 2], frames[d + 3], frames[d + 4], frames[d + 5]) == ours)
  }

  @Test(arguments: SigningFixture.keyed)
  func verifyAcceptsJupyterClientSignature(vector: SigningVector) throws {
    let frames = try vector.wireFrames()
    let signer = try vector.signer()
    #expect(signer.isSigning)
    let mac = withParts(frames, delimiter: vector.delimiterIndex) { signature, parts in
      signer.verify(signature: signature, parts: parts)
    }
    let expectedLength = ["hmac-sha256": 32, "hmac-sha512": 64, "hmac-md5": 16][vector.scheme]
    #expect(mac?.count == expectedLength)
  }

  @Test(arguments: SigningFixture.keyed, 0..<4)
  func changedByteInAnySignedFrameIsRejected(vector: SigningVector, part: Int) throws {
    var frames = try vector.wireFrames()
    let index = vector.delimiterIndex + 2 + part
    frames[index][frames[index].count / 2] ^= 0x01
    let signer = try vector.signer()
    let mac = withParts(frames, delimiter: vector.delimiterIndex) { signature, parts in
      signer.verify(signature: signature, parts: parts)
    }
    #expect(mac == nil)
  }

  enum SignatureDamage: String, CaseIterable, Sendable {
    case uppercase, truncatedByOne, truncatedToHalf, extraCharacter, oneDigitChanged, empty

    func apply(_ signature: [UInt8]) -> [UInt8] {
      switch self {
      case .uppercase: return Array(String(decoding: signature, as: UTF8.self).uppercased().utf8)
      case .truncatedByOne: return Array(signature.dropLast())
      case .truncatedToHalf: return Array(signature.prefix(signature.count / 2))
      case .extraCharacter: return signature + bytes("0")
      case .oneDigitChanged:
        var changed = signature
        changed[0] = changed[0] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        return changed
      case .empty: return []
      }
    }
  }

  @Test(arguments: SigningFixture.keyed.filter { $0.prefixCount == 0 }, SignatureDamage.allCases)
  func damagedSignatureIsRejected(vector: SigningVector, damage: SignatureDamage) throws {
    var frames = try vector.wireFrames()
    let signatureIndex = vector.delimiterIndex + 1
    let signature = frames[signatureIndex]
    // Make sure "uppercase" changes something: a hex signature has letters almost surely.
    if damage == .uppercase { try #require(signature.contains { $0 >= UInt8(ascii: "a") }) }
    frames[signatureIndex] = damage.apply(signature)
    let signer = try vector.signer()
    let mac = withParts(frames, delimiter: vector.delimiterIndex) { signature, parts in
      signer.verify(signature: signature, parts: parts)
    }
    #expect(mac == nil)
  }

  @Test(arguments: [SignatureScheme.hmacSHA256, .hmacSHA512, .hmacMD5])
  func emptyKeyMeansUnsigned(scheme: SignatureScheme) {
    let signer = MessageSigner(scheme: scheme, key: Secret(""))
    #expect(!signer.isSigning)
    #expect(signer.signature(bytes("{}"), bytes("{}"), bytes("{}"), bytes("{}")) == [])
  }

  /// Keys longer than the hash's block are hashed first (RFC 2104); expected values from
  /// Python's `hmac` module, which jupyter_client uses.
  @Test(arguments: [
    (
      SignatureScheme.hmacSHA256, "ee9a6e8df810f7f350c54fce9669df2eb04deed48d079c492f333fef43f503a7"
    ),
    (
      .hmacSHA512,
      "4aaadc29e28df4e843efee06d355d894e73dd66c4a48c7fc4061c2a19df00588235ae16a5dc1f3c8a947419abf25be414a3b9daa623cbf1ee81cc987f3f0004f"
    ),
    (.hmacMD5, "707f16b4cf9a04abb9f25782987dd29c"),
  ])
  func keyLongerThanTheBlockMatchesPythonHMAC(scheme: SignatureScheme, expected: String) {
    let signer = MessageSigner(
      scheme: scheme, key: Secret([UInt8](repeating: UInt8(ascii: "k"), count: 100)))
    let signature = signer.signature(
      Array(#"{"msg_type":"status"}"#.utf8), Array("{}".utf8), Array("{}".utf8),
      Array(#"{"execution_state":"idle"}"#.utf8))
    #expect(String(decoding: signature, as: UTF8.self) == expected)
  }

  @Test func sameMessageDifferentKeysOrSchemesSignDifferently() {
    let parts = (bytes(#"{"msg_type":"status"}"#), bytes("{}"), bytes("{}"), bytes("{}"))
    let signatures = [
      MessageSigner(scheme: .hmacSHA256, key: Secret("a")),
      MessageSigner(scheme: .hmacSHA256, key: Secret("b")),
      MessageSigner(scheme: .hmacSHA512, key: Secret("a")),
      MessageSigner(scheme: .hmacMD5, key: Secret("a")),
    ].map { $0.signature(parts.0, parts.1, parts.2, parts.3) }
    #expect(Set(signatures).count == 4)
  }
}
