/// The four signed parts of a Jupyter message, checked and located in its frames.
struct SignedParts {
  var header: UnsafeRawBufferPointer
  var parent: UnsafeRawBufferPointer
  var metadata: UnsafeRawBufferPointer
  var content: UnsafeRawBufferPointer

  /// Finds the delimiter, checks the signature and the replay history.
  /// jupyter_client skips both checks when the key is empty; so does this.
  static func open<Frames: WireFrames>(
    _ frames: Frames, signer: MessageSigner, replayGuard: inout ReplayGuard
  ) throws(DropReason) -> SignedParts {
    var delimiter = -1
    for index in 0..<frames.count where frames[index].elementsEqual(wireDelimiter) {
      delimiter = index
      break
    }
    guard delimiter >= 0 else { throw .noDelimiter }
    guard frames.count >= delimiter + 6 else { throw .tooFewFrames }
    let parts = SignedParts(
      header: frames[delimiter + 2], parent: frames[delimiter + 3],
      metadata: frames[delimiter + 4], content: frames[delimiter + 5])
    if signer.isSigning {
      let signature = frames[delimiter + 1]
      guard signature.count > 0 else { throw .unsigned }
      guard
        let mac = signer.verify(
          signature: signature,
          parts: [parts.header, parts.parent, parts.metadata, parts.content])
      else { throw .badSignature }
      guard replayGuard.admit(mac: mac) else { throw .replayed }
    }
    return parts
  }
}
