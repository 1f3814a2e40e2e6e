import BridgeRuntime

extension StatusCommand {
  /// The kernels monitored now (launcher mode) with their latest memory figures.
  func printRunningKernels(environment: [String: String]) {
    let records = RunningKernelRecord.live(
      in: RunningKernelRecord.directory(environment: environment))
    print("\nRunning kernels (launcher mode)")
    if records.isEmpty { print("  none") }
    for record in records {
      print("  \(record.notebook)  kernel pid \(record.kernelPid)")
      print("    memory     \(record.memory ?? "not known yet")")
    }
  }
}
