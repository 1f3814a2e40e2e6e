import FuzzSupport

/// libFuzzer target `fuzz-lmk`: see `LMKHarness`.
@main
enum FuzzLMKMain {
  static func main() {
    FuzzEntry.run { data, size in
      LMKHarness.run(FuzzInput.bytes(data, size))
      return 0
    }
  }
}
