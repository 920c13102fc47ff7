internal import OrbrecCore

/// What a configuration value may be: the type that the decoders read, the JSON Schema
/// states and `orbrec explain` shows, from one table.
public indirect enum ValueSchema: Sendable {
    /// A string (quoted or plain); `nonEmpty` when "" is refused.
    case string(nonEmpty: Bool = false)
    /// A resource or step name: the DNS-label rule of `ResourceName`.
    case name
    case integer(minimum: Int? = nil, maximum: Int? = nil)
    case number(minimum: Double? = nil, maximum: Double? = nil)
    case boolean
    /// A duration such as 90s or 1h30m (see `ConfigDuration`).
    case duration
    /// One of these strings.
    case choice([String])
    /// A list of scalars; numbers and booleans are taken as their text (argv elements).
    case scalarList(minItems: Int = 0)
    /// A list of strings.
    case stringList
    /// A mapping of string to string.
    case stringMap
    /// A mapping of string to integer, each at least `minimum`.
    case integerMap(minimum: Int)
    /// A mapping whose keys the user chooses, each holding a list of scalars (a matrix).
    case listMap
    case object(ObjectSchema)
    /// A list of mappings of one shape.
    case objectList(ObjectSchema, minItems: Int)
    /// Any of these shapes (a workflow step's `taskPool`: a reference or an inline pool).
    case anyOf([ValueSchema])
    /// A policy expression: a string checked by the expression parser, not by the schema.
    case expression

    /// How `orbrec explain` names the type, as `kubectl explain` does.
    public var typeName: String {
        switch self {
        case .string, .name: "string"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .duration: "duration"
        case .choice: "string"
        case .scalarList, .stringList: "[]string"
        case .stringMap: "map[string]string"
        case .integerMap: "map[string]integer"
        case .listMap: "map[string][]string"
        case .object: "object"
        case .objectList: "[]object"
        case .anyOf(let shapes): shapes.map(\.typeName).joined(separator: " | ")
        case .expression: "expression"
        }
    }

    /// The fields below this value, when it holds a mapping of known keys.
    public var object: ObjectSchema? {
        switch self {
        case .object(let object), .objectList(let object, _): object
        case .anyOf(let shapes): shapes.lazy.compactMap(\.object).last
        default: nil
        }
    }

    /// The constraints a reader of `explain` needs beside the type.
    var constraints: [String] {
        switch self {
        case .string(let nonEmpty): nonEmpty ? ["not empty"] : []
        case .integer(let minimum, let maximum):
            [minimum.map { "minimum \($0)" }, maximum.map { "maximum \($0)" }].compactMap { $0 }
        case .integerMap(let minimum): ["values at least \(minimum)"]
        case .number(let minimum, let maximum):
            [minimum.map { "minimum \(Self.shown($0))" }, maximum.map { "maximum \(Self.shown($0))" }].compactMap { $0 }
        case .name: ["lowercase letters, digits and '-', 1 to \(ResourceName.maxLength) characters, starting and ending with a letter or digit"]
        case .duration: ["like 500ms, 90s, 5m, 2h or 1h30m"]
        case .choice(let values): ["one of " + values.joined(separator: ", ")]
        case .scalarList(let minItems) where minItems > 0: ["at least \(minItems) item(s)"]
        case .objectList(_, let minItems) where minItems > 0: ["at least \(minItems) item(s)"]
        default: []
        }
    }

    static func shown(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
