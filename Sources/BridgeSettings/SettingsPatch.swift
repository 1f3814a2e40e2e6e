import ExecutionCore
import Foundation

/// The channel a layer asks for.
public enum ChannelChoice: Sendable, Equatable {
  /// The account's default channel (JSON `null` or `""`), overriding a channel set by a lower layer.
  case accountDefault
  /// A channel id or name as the user wrote it.
  case channel(String)
}

/// The settings one layer sets; nil fields leave the lower layer's value in force.
///
/// The user config file, its per-notebook rules and `metadata.lmk` all use
/// the same keys, so one type and one parser serve all of them.
public struct SettingsPatch: Sendable, Equatable {
  public var notifyOn: NotifyOn?
  public var notifyChannel: ChannelChoice?
  public var minDurationMilliseconds: Int64?
  public var idleGraceMilliseconds: Int64?
  public var notifyOnDeath: Bool?
  public var memoryWarning: Double?

  public init(
    notifyOn: NotifyOn? = nil, notifyChannel: ChannelChoice? = nil,
    minDurationMilliseconds: Int64? = nil, idleGraceMilliseconds: Int64? = nil,
    notifyOnDeath: Bool? = nil, memoryWarning: Double? = nil
  ) {
    self.notifyOn = notifyOn
    self.notifyChannel = notifyChannel
    self.minDurationMilliseconds = minDurationMilliseconds
    self.idleGraceMilliseconds = idleGraceMilliseconds
    self.notifyOnDeath = notifyOnDeath
    self.memoryWarning = memoryWarning
  }

  /// The keys this patch sets.
  public var keys: [SettingKey] {
    SettingKey.allCases.filter { key in
      switch key {
      case .notifyOn: notifyOn != nil
      case .notifyChannel: notifyChannel != nil
      case .minDuration: minDurationMilliseconds != nil
      case .idleGrace: idleGraceMilliseconds != nil
      case .notifyOnDeath: notifyOnDeath != nil
      case .memoryWarning: memoryWarning != nil
      }
    }
  }

  /// `settings` with this patch's fields applied on top.
  public func applied(to settings: NotificationPolicy) -> NotificationPolicy {
    var result = settings
    if let notifyOn { result.notifyOn = notifyOn }
    switch notifyChannel {
    case .none: break
    case .accountDefault: result.notifyChannel = nil
    case .channel(let channel): result.notifyChannel = channel
    }
    if let minDurationMilliseconds { result.minDurationMilliseconds = minDurationMilliseconds }
    if let idleGraceMilliseconds { result.idleGraceMilliseconds = idleGraceMilliseconds }
    if let notifyOnDeath { result.notifyOnDeath = notifyOnDeath }
    if let memoryWarning { result.memoryWarning = memoryWarning }
    return result
  }
}

/// The settings keys, spelled as in the config file and in `metadata.lmk`.
public enum SettingKey: String, Sendable, Equatable, CaseIterable {
  case notifyOn, notifyChannel, minDuration, idleGrace, notifyOnDeath, memoryWarning
}

extension SettingsPatch {
  /// The longest duration accepted (one year), so seconds → milliseconds cannot overflow.
  public static let maximumSeconds: Double = 366 * 24 * 3600

  /// Seconds (from a file or a flag) as milliseconds; nil for NaN, a negative value or
  /// more than `maximumSeconds`: a checked conversion, never a trap.
  public static func milliseconds(fromSeconds seconds: Double) -> Int64? {
    guard seconds >= 0, seconds <= maximumSeconds else { return nil }
    return Int64(exactly: (seconds * 1000).rounded())
  }

  /// Reads the settings keys of a JSON object.
  ///
  /// - Parameters:
  ///   - keyPath: how the object is named in errors and warnings (`notebooks[0]`, `metadata.lmk`), nil at top level.
  ///   - otherKeys: keys that belong to the caller (`match`, `notebooks`) and are neither settings nor unknown.
  /// - Returns: the patch and one warning per unknown key.
  static func parse(
    _ object: [String: ConfigJSONValue], file: String, keyPath: String?, otherKeys: Set<String> = []
  ) throws(ConfigError) -> (patch: SettingsPatch, warnings: [String]) {
    func name(_ key: String) -> String { keyPath.map { "\($0).\(key)" } ?? key }
    func fail(_ key: String, _ problem: String) -> ConfigError {
      ConfigError(file: file, key: name(key), problem: problem)
    }
    func seconds(_ key: String, _ value: ConfigJSONValue) throws(ConfigError) -> Int64 {
      guard let seconds = value.doubleValue else {
        throw fail(key, "must be a number of seconds, not \(value.typeName)")
      }
      guard let milliseconds = milliseconds(fromSeconds: seconds) else {
        throw fail(key, "must be between 0 and \(Int64(maximumSeconds)) seconds (got \(seconds))")
      }
      return milliseconds
    }

    var patch = SettingsPatch()
    var warnings: [String] = []
    for (key, value) in object.sorted(by: { $0.key < $1.key }) {
      switch SettingKey(rawValue: key) {
      case .notifyOn:
        let allowed = NotifyOn.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard let text = value.stringValue else {
          throw fail(key, "must be one of \(allowed), not \(value.typeName)")
        }
        guard let notifyOn = NotifyOn(rawValue: text) else {
          throw fail(key, "must be one of \(allowed) (got \"\(text)\")")
        }
        patch.notifyOn = notifyOn
      case .notifyChannel:
        switch value {
        case .null: patch.notifyChannel = .accountDefault
        case .string(let text):
          let trimmed = text.trimmingCharacters(in: .whitespaces)
          patch.notifyChannel = trimmed.isEmpty ? .accountDefault : .channel(trimmed)
        default:
          throw fail(key, "must be a channel id or name (a string) or null, not \(value.typeName)")
        }
      case .minDuration: patch.minDurationMilliseconds = try seconds(key, value)
      case .idleGrace: patch.idleGraceMilliseconds = try seconds(key, value)
      case .notifyOnDeath:
        guard case .bool(let flag) = value else {
          throw fail(key, "must be true or false, not \(value.typeName)")
        }
        patch.notifyOnDeath = flag
      case .memoryWarning:
        guard let fraction = value.doubleValue else {
          throw fail(
            key, "must be a fraction of the memory limit (a number), not \(value.typeName)")
        }
        guard NotificationPolicy.isValidMemoryWarning(fraction) else {
          throw fail(key, "must be more than 0 and at most 1 (got \(fraction))")
        }
        patch.memoryWarning = fraction
      case nil:
        guard !otherKeys.contains(key) else { continue }
        let known = SettingKey.allCases.map(\.rawValue) + otherKeys.sorted()
        let hint = KeySuggestion.hint(for: key, among: known)
        warnings.append("\(file): \(name(key)): unknown key ignored\(hint)")
      }
    }
    return (patch, warnings)
  }
}
