/// A value that policy expressions read and produce: the JSON-shaped part of CEL's data model.
/// Bytes, unsigned ints, timestamps and durations are left out because specs never carry them.
public indirect enum PolicyValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case list([PolicyValue])
    case map([String: PolicyValue])

    /// The name used in error messages and documentation.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .double: "double"
        case .string: "string"
        case .list: "list"
        case .map: "map"
        }
    }
}
