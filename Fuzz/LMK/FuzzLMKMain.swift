import FuzzSupport

/// libFuzzer target `fuzz-lmk`: see `LMKHarness`.
@main
enum FuzzLMKMain {
  static func main() { FuzzEntry.run(LMKHarness.run) }
}
