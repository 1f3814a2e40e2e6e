import FuzzSupport

/// libFuzzer target `fuzz-config`: see `ConfigHarness`.
@main
enum FuzzConfigMain {
  static func main() { FuzzEntry.run(ConfigHarness.run) }
}
