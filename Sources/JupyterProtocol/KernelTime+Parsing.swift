import ExecutionCore

extension KernelTime {
  /// Parses a header date as kernels write it: `2025-01-23T21:23:15.387272Z`,
  /// with or without fraction, with `Z`, `±HH:MM` or no zone (read as UTC).
  public init?(iso8601 text: String) {
    var utf8 = Array(text.utf8)[...]
    func number(_ digits: Int) -> Int64? {
      guard utf8.count >= digits else { return nil }
      var value: Int64 = 0
      for _ in 0..<digits {
        guard let c = utf8.first, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int64(c - UInt8(ascii: "0"))
        utf8 = utf8.dropFirst()
      }
      return value
    }
    func expect(_ c: Character) -> Bool {
      guard utf8.first == c.asciiValue else { return false }
      utf8 = utf8.dropFirst()
      return true
    }
    guard let year = number(4), expect("-"), let month = number(2), expect("-"),
      let day = number(2), expect("T") || expect(" "), let hour = number(2), expect(":"),
      let minute = number(2), expect(":"), let second = number(2),
      (1...12).contains(month),
      (1...Self.daysInMonth(year: year, month: month)).contains(day), hour < 24, minute < 60,
      second < 61
    else { return nil }
    var millis: Int64 = 0
    if expect(".") {
      var scale: Int64 = 100
      var any = false
      while let c = utf8.first, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
        millis += Int64(c - UInt8(ascii: "0")) * scale
        scale /= 10
        any = true
        utf8 = utf8.dropFirst()
      }
      guard any else { return nil }
    }
    var offsetMinutes: Int64 = 0
    if expect("Z") || utf8.isEmpty {
      offsetMinutes = 0
    } else if let sign = utf8.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
      utf8 = utf8.dropFirst()
      guard let hours = number(2) else { return nil }
      _ = expect(":")
      guard let minutes = number(2), hours * 60 + minutes < 24 * 60 else { return nil }
      offsetMinutes = (hours * 60 + minutes) * (sign == UInt8(ascii: "-") ? -1 : 1)
    } else {
      return nil
    }
    guard utf8.isEmpty else { return nil }
    let local = KernelTime(
      year: Int(year), month: Int(month), day: Int(day), hour: Int(hour), minute: Int(minute),
      second: Int(second), millisecond: Int(millis))
    self.init(millisecondsSince1970: local.millisecondsSince1970 - offsetMinutes * 60_000)
  }

  /// The length of a month in the proleptic Gregorian calendar, so `02-30` is refused.
  static func daysInMonth(year: Int64, month: Int64) -> Int64 {
    if month == 2 { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28 }
    return [4, 6, 9, 11].contains(month) ? 30 : 31
  }
}
