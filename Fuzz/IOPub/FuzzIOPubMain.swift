import FuzzSupport

/// libFuzzer target `fuzz-iopub`: see `IOPubHarness`.
@main
enum FuzzIOPubMain {
  static func main() { FuzzEntry.run(IOPubHarness.run) }
}
