import Foundation

/// A JSON value that keeps booleans, integers and other numbers apart.
///
/// Config files and kernelspecs are validated key by key (a clear error names
/// the key at fault) and kernelspecs are rewritten without losing fields we do
/// not know, so both need JSON as plain values rather than fixed structs.
package enum ConfigJSONValue: Sendable, Equatable, Codable {
  case null
  case bool(Bool)
  case integer(Int64)
  case number(Double)
  case string(String)
  case array([ConfigJSONValue])
  case object([String: ConfigJSONValue])

  package init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int64.self) {
      self = .integer(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([ConfigJSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: ConfigJSONValue].self))
    }
  }

  package func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .integer(let value): try container.encode(value)
    case .number(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  /// Parses `data` as JSON; the error text says what is wrong and roughly where.
  package static func parse(_ data: Data) -> Result<ConfigJSONValue, JSONProblem> {
    do {
      return .success(try JSONDecoder().decode(ConfigJSONValue.self, from: data))
    } catch {
      // JSONDecoder's errors carry no position; JSONSerialization's do.
      do {
        _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return .failure(JSONProblem(message: "not valid JSON (a number out of range?)"))
      } catch let error as NSError {
        let detail = error.userInfo[NSDebugDescriptionErrorKey] as? String
        return .failure(JSONProblem(message: "not valid JSON" + (detail.map { " (\($0))" } ?? "")))
      }
    }
  }

  /// A short name of the value's JSON type, for error messages.
  package var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .integer, .number: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }

  package var objectValue: [String: ConfigJSONValue]? {
    if case .object(let value) = self { return value }
    return nil
  }

  package var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  var doubleValue: Double? {
    switch self {
    case .integer(let value): Double(value)
    case .number(let value): value
    default: nil
    }
  }
}

/// Why a byte string is not JSON.
package struct JSONProblem: Error, Equatable {
  package var message: String
}
