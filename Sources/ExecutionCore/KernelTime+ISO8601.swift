extension KernelTime {
  /// A kernel time from UTC calendar fields (proleptic Gregorian calendar).
  ///
  /// Pure arithmetic, so header-date parsing and tests need no Foundation calendar.
  /// Fields are not range-checked: callers validate what they parsed.
  public init(
    year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
    millisecond: Int = 0
  ) {
    let days = Int64(CivilDate.daysSince1970(year: year, month: month, day: day))
    let seconds = days * 86_400 + Int64(hour) * 3_600 + Int64(minute) * 60 + Int64(second)
    self.init(millisecondsSince1970: seconds * 1_000 + Int64(millisecond))
  }

  /// ISO 8601 in UTC with milliseconds (`2025-01-23T21:23:15.387Z`), the form
  /// the LMK session's `cellStartedAt`/`cellFinishedAt` carry.
  public var iso8601: String {
    let f = fields
    return "\(pad(f.year, 4))-\(pad(f.month, 2))-\(pad(f.day, 2))T\(pad(f.hour, 2)):"
      + "\(pad(f.minute, 2)):\(pad(f.second, 2)).\(pad(f.millisecond, 3))Z"
  }

  /// Human-readable UTC time to the second (`2025-01-23 21:23:15 UTC`), for messages.
  public var readableUTC: String {
    let f = fields
    return "\(pad(f.year, 4))-\(pad(f.month, 2))-\(pad(f.day, 2)) \(pad(f.hour, 2)):"
      + "\(pad(f.minute, 2)):\(pad(f.second, 2)) UTC"
  }

  private var fields:
    (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int)
  {
    let ms = millisecondsSince1970
    let (days, msOfDay) = floorDivision(ms, 86_400_000)
    let date = CivilDate.fromDaysSince1970(days)
    let secondOfDay = Int(msOfDay / 1_000)
    return (
      date.year, date.month, date.day, secondOfDay / 3_600, secondOfDay / 60 % 60,
      secondOfDay % 60, Int(msOfDay % 1_000)
    )
  }
}

/// Howard Hinnant's days-from-civil algorithms (public domain), on Int64.
private enum CivilDate {
  static func daysSince1970(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let m = Int64(month)
    let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  static func fromDaysSince1970(_ days: Int64) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra =
      (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (Int(year), Int(month), Int(day))
  }
}

private func floorDivision(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
  let r = a % b
  return r < 0 ? (a / b - 1, r + b) : (a / b, r)
}

private func pad(_ value: Int, _ width: Int) -> String {
  let digits = String(value)
  return digits.count >= width
    ? digits : String(repeating: "0", count: width - digits.count) + digits
}
