/// A node of the parsed syntax tree. `offset` is where a problem with this node is reported:
/// the operator of a binary expression, the name of a call or field, the start of a literal.
struct ExpressionNode: Sendable {
    indirect enum Form: Sendable {
        case literal(PolicyValue)
        case identifier(String)
        case select(ExpressionNode, field: String)
        case index(ExpressionNode, ExpressionNode)
        case list([ExpressionNode])
        case map([ExpressionMapEntry])
        case not(ExpressionNode)
        case negate(ExpressionNode)
        case binary(ExpressionOperator, ExpressionNode, ExpressionNode)
        /// Chains of `&&` and `||` stay flat so long conjunctions do not deepen the tree.
        case and([ExpressionNode])
        case or([ExpressionNode])
        case conditional(ExpressionNode, then: ExpressionNode, else: ExpressionNode)
        /// Holds the `.select` node whose path is tested.
        case has(ExpressionNode)
        case call(ExpressionFunction, target: ExpressionNode?, arguments: [ExpressionNode])
        case comprehension(ExpressionMacro, target: ExpressionNode, variable: String, arguments: [ExpressionNode])
    }

    let form: Form
    let offset: Int
    /// Height of the subtree; capped by the parser so that recursive walks stay shallow.
    let height: Int

    var children: [ExpressionNode] { form.children }
}

struct ExpressionMapEntry: Sendable {
    let key: ExpressionNode
    let value: ExpressionNode
}

extension ExpressionNode.Form {
    var children: [ExpressionNode] {
        switch self {
        case .literal, .identifier: []
        case .select(let operand, _), .not(let operand), .negate(let operand), .has(let operand): [operand]
        case .index(let operand, let key): [operand, key]
        case .list(let elements), .and(let elements), .or(let elements): elements
        case .map(let entries): entries.flatMap { [$0.key, $0.value] }
        case .binary(_, let left, let right): [left, right]
        case .conditional(let condition, let then, let otherwise): [condition, then, otherwise]
        case .call(_, let target, let arguments): (target.map { [$0] } ?? []) + arguments
        case .comprehension(_, let target, _, let arguments): [target] + arguments
        }
    }
}

enum ExpressionOperator: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case remainder = "%"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case `in` = "in"

    var isOrdering: Bool {
        switch self {
        case .less, .lessOrEqual, .greater, .greaterOrEqual: true
        default: false
        }
    }

    var isArithmetic: Bool {
        switch self {
        case .add, .subtract, .multiply, .divide, .remainder: true
        default: false
        }
    }
}
