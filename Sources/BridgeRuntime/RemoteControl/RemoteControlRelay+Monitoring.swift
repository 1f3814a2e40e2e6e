extension RemoteControlRelay {
  /// Acts on the app's commands for the kernel `listener` follows: settings go into
  /// the core (through the IOPub loop), an interrupt to `interrupt`.
  public func attach(
    to listener: IOPubListener<CoreDriver>, interrupt: @escaping @Sendable () -> Void
  ) {
    attach { command in
      switch command {
      case .settings(let notifyOn, let notifyChannel):
        listener.post(.remoteSettings(notifyOn: notifyOn, notifyChannel: notifyChannel, from: .app))
      case .interrupt:
        interrupt()
      }
    }
  }
}
