import CZeroMQ

/// The libzmq socket types the bridge and its tests use.
public enum SocketType: Sendable {
  case pub, sub, xpub, xsub, dealer, router, req, rep, pair

  var rawValue: Int32 {
    switch self {
    case .pub: ZMQ_PUB
    case .sub: ZMQ_SUB
    case .xpub: ZMQ_XPUB
    case .xsub: ZMQ_XSUB
    case .dealer: ZMQ_DEALER
    case .router: ZMQ_ROUTER
    case .req: ZMQ_REQ
    case .rep: ZMQ_REP
    case .pair: ZMQ_PAIR
    }
  }
}
