import Testing

@testable import BridgeSettings

/// Seconds from files and flags become milliseconds through one checked
/// conversion: out of range, negative or not a number is nil, never a trap.
@Suite struct SecondsConversionTests {
  @Test(
    arguments: [
      (0, 0), (1.5, 1_500), (SettingsPatch.maximumSeconds, 31_622_400_000), (-1, nil), (1e300, nil),
      (-1e300, nil), (.nan, nil), (.infinity, nil), (-.infinity, nil), (-0.0, 0),
    ] as [(Double, Int64?)])
  func secondsToMilliseconds(seconds: Double, expected: Int64?) {
    #expect(SettingsPatch.milliseconds(fromSeconds: seconds) == expected)
  }
}
