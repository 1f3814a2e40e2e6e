import BridgeRuntime

extension StatusCommand {
  /// The kernels monitored now (their bridges' state files) with their latest memory figures.
  func printRunningKernels(environment: [String: String]) {
    let folder = LocalControlFolder.standard(environment: environment)
    let bridges = (try? folder.check()).map { folder.states().live } ?? []
    print("\nRunning kernels")
    if bridges.isEmpty { print("  none") }
    for bridge in bridges.sorted(by: { $0.startedAtMilliseconds < $1.startedAtMilliseconds }) {
      switch bridge.mode {
      case .launcher:
        let pid = bridge.kernelPid.map { "kernel pid \($0)" } ?? "kernel pid unknown"
        print("  \(PsCommand.oneLine(bridge.name))  \(pid)")
        print("    memory     \(bridge.memory.map { PsCommand.oneLine($0) } ?? "not known yet")")
      case .attach:
        print("  \(PsCommand.oneLine(bridge.name))  attached (bridge pid \(bridge.pid))")
      }
    }
    if !bridges.isEmpty { print("  (more: jupyter lmk ps)") }
  }
}
