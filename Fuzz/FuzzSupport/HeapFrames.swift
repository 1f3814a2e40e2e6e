import JupyterProtocol

/// Message frames in separate heap blocks of exactly their size, as libzmq
/// hands them over, so AddressSanitizer sees any read past a frame's end.
public final class HeapFrames: WireFrames {
  private let buffers: [UnsafeMutableRawBufferPointer]

  public init(_ frames: [[UInt8]]) {
    buffers = frames.map { frame in
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: frame.count, alignment: 1)
      buffer.copyBytes(from: frame)
      return buffer
    }
  }

  deinit { for buffer in buffers { buffer.deallocate() } }

  public var count: Int { buffers.count }
  public subscript(index: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(buffers[index]) }
}
