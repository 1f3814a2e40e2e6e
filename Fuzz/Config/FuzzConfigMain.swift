import FuzzSupport

/// libFuzzer target `fuzz-config`: see `ConfigHarness`.
@main
enum FuzzConfigMain {
  static func main() {
    FuzzEntry.run { data, size in
      ConfigHarness.run(FuzzInput.bytes(data, size))
      return 0
    }
  }
}
