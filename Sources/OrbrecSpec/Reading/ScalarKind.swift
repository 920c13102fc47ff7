internal import Yams

/// The YAML 1.2 core-schema type of a scalar, decided here rather than by the resolver so
/// that quoting is respected the same way for YAML and JSON files.
enum ScalarKind: String {
    case null
    case boolean
    case integer
    case number
    case string

    init(_ scalar: Node.Scalar) {
        guard scalar.style == .plain || scalar.style == .any else {
            self = .string
            return
        }
        let text = scalar.string
        switch text {
        case "", "~", "null", "Null", "NULL":
            self = .null
        case "true", "True", "TRUE", "false", "False", "FALSE":
            self = .boolean
        case ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN":
            self = .number
        default:
            if Int(text) != nil || Self.isPrefixedInteger(text) {
                self = .integer
            } else if Self.looksNumeric(text), Double(text) != nil {
                self = .number
            } else {
                self = .string
            }
        }
    }

    private static func isPrefixedInteger(_ text: String) -> Bool {
        (text.hasPrefix("0x") && Int(text.dropFirst(2), radix: 16) != nil)
            || (text.hasPrefix("0o") && Int(text.dropFirst(2), radix: 8) != nil)
    }

    private static func looksNumeric(_ text: String) -> Bool {
        text.allSatisfy { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E" }
    }

    /// How a diagnostic names a value of this kind.
    var noun: String {
        switch self {
        case .null: "null"
        case .boolean: "a boolean"
        case .integer: "an integer"
        case .number: "a number"
        case .string: "a string"
        }
    }
}

extension Node {
    /// How a diagnostic names what was found.
    var foundDescription: String {
        switch self {
        case .scalar(let scalar):
            let kind = ScalarKind(scalar)
            return kind == .null ? "null" : "\(kind.noun) (\(scalar.string.debugDescription))"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
