/// The built-in functions. Each has a fixed arity as a global call (`size(x)`) and/or as a
/// method (`x.size()`); anything else is rejected at parse time.
enum ExpressionFunction: String, Sendable, CaseIterable {
    case size
    case startsWith
    case endsWith
    case contains
    case matches
    case lowerAscii
    case upperAscii
    case int
    case double
    case string

    var globalArity: Int? {
        switch self {
        case .size, .int, .double, .string: 1
        case .matches: 2
        case .startsWith, .endsWith, .contains, .lowerAscii, .upperAscii: nil
        }
    }

    /// Arguments besides the receiver.
    var methodArity: Int? {
        switch self {
        case .size, .lowerAscii, .upperAscii: 0
        case .startsWith, .endsWith, .contains, .matches: 1
        case .int, .double, .string: nil
        }
    }
}

/// Comprehension macros: `target.all(x, predicate)` and friends bind `x` to each list element
/// (or each map key) in turn.
enum ExpressionMacro: String, Sendable, CaseIterable {
    case all
    case exists
    case existsOne = "exists_one"
    case filter
    case map

    var acceptedArgumentCounts: [Int] { self == .map ? [2, 3] : [2] }
}

/// CEL reserves these so that future syntax cannot collide with field names.
enum ExpressionReservedWords {
    static let all: Set<String> = [
        "in", "as", "break", "const", "continue", "else", "for", "function", "if", "import",
        "let", "loop", "package", "namespace", "return", "var", "void", "while",
    ]
}
