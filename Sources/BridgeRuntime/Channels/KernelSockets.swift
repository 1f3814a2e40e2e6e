import JupyterProtocol
import ZMQWrap

/// Opens sockets to a kernel's channels with the options every channel shares.
public enum KernelSockets {
  /// A socket of `type` connected to `channel`, a CurveZMQ client when the
  /// connection file carries keys (as jupyter_client: the file's key pair is
  /// the client's, the public key is the server's). `prepare` runs before
  /// connect, where subscriptions belong.
  public static func connect(
    _ type: SocketType, to channel: ConnectionInfo.Channel, of connection: ConnectionInfo,
    context: Context, prepare: (Socket) throws -> Void = { _ in }
  ) throws -> Socket {
    let socket = try context.socket(type)
    try socket.setLinger(milliseconds: 0)
    if let publicKey = connection.curvePublicKey, let secretKey = connection.curveSecretKey {
      try socket.setCurveClient(
        serverKey: publicKey, publicKey: publicKey, secretKey: secretKey.text)
    }
    try prepare(socket)
    try socket.connect(connection.endpoint(channel))
    return socket
  }
}
