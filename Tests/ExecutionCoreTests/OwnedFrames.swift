import JupyterProtocol

@testable import ExecutionCore

/// Frames held as owned byte arrays, for feeding the decoder in tests.
final class OwnedFrames: WireFrames {
  private let buffers: [UnsafeMutableRawBufferPointer]

  init(_ frames: [[UInt8]]) {
    buffers = frames.map { frame in
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: frame.count, alignment: 1)
      buffer.copyBytes(from: frame)
      return buffer
    }
  }

  deinit { buffers.forEach { $0.deallocate() } }

  var count: Int { buffers.count }
  subscript(index: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(buffers[index]) }
}
