import JupyterProtocol
import ZMQWrap

/// The receive loop hands libzmq's own buffers to the decoder: nothing is copied.
extension FrameBuffer: WireFrames {}
