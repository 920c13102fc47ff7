/// The static type of an expression or a schema variable. `.dyn` means "unknown until
/// evaluation": the checker reports only mismatches that every evaluation would hit.
public indirect enum ExpressionType: Sendable, Hashable {
    case dyn
    case null
    case bool
    case int
    case double
    case string
    case list(ExpressionType)
    case map(ExpressionType)
    /// A record such as a Fleet spec. A closed object (`open: false`) rejects unknown fields
    /// statically; an open one defers them to evaluation, like a map.
    case object(name: String, fields: [String: ExpressionType], open: Bool)
}

extension ExpressionType {
    /// The name used in messages; objects go by their own name, e.g. "Fleet spec".
    public var displayName: String {
        switch self {
        case .dyn: "dyn"
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .double: "double"
        case .string: "string"
        case .list: "list"
        case .map: "map"
        case .object(let name, _, _): name
        }
    }

    var isDyn: Bool { self == .dyn }

    var isNumeric: Bool { self == .int || self == .double }

    /// Objects are maps at run time, so map-shaped operations accept both.
    var isMapLike: Bool {
        switch self {
        case .map, .object: true
        default: false
        }
    }

    init(of value: PolicyValue) {
        switch value {
        case .null: self = .null
        case .bool: self = .bool
        case .int: self = .int
        case .double: self = .double
        case .string: self = .string
        case .list(let elements): self = .list(Self.common(elements.map(ExpressionType.init(of:))))
        case .map(let entries): self = .map(Self.common(entries.values.map(ExpressionType.init(of:))))
        }
    }

    /// The single type shared by all `types`, or `.dyn` when they differ or there are none.
    static func common(_ types: [ExpressionType]) -> ExpressionType {
        guard let first = types.first, types.allSatisfy({ $0 == first }) else { return .dyn }
        return first
    }
}
