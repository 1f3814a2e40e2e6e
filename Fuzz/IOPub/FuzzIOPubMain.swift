import FuzzSupport

/// libFuzzer target `fuzz-iopub`: see `IOPubHarness`.
@main
enum FuzzIOPubMain {
  static func main() {
    FuzzEntry.run { data, size in
      IOPubHarness.run(FuzzInput.bytes(data, size))
      return 0
    }
  }
}
