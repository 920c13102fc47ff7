/// Walks a checked syntax tree against concrete bindings, charging every node visit to the
/// cost meter. The tree height is capped by the parser, so this recursion is shallow.
struct ExpressionEvaluator {
    let bindings: [String: PolicyValue]
    let literalPatterns: [Int: SafeRegex]
    var meter: ExpressionCostMeter
    /// Macro variables, innermost last.
    var locals: [(name: String, value: PolicyValue)] = []

    mutating func evaluate(_ node: ExpressionNode) throws(ExpressionError) -> PolicyValue {
        try meter.charge(at: node.offset)
        switch node.form {
        case .literal(let value):
            return value
        case .identifier(let name):
            if let local = locals.last(where: { $0.name == name }) { return local.value }
            guard let value = bindings[name] else { throw .runtime("no such variable '\(name)'", at: node.offset) }
            return value
        case .select(let operand, let field):
            return try Self.select(field, from: try evaluate(operand), at: node.offset)
        case .index(let operand, let key):
            return try Self.index(try evaluate(operand), by: try evaluate(key), at: node.offset, keyOffset: key.offset)
        case .list(let elements):
            var values: [PolicyValue] = []
            values.reserveCapacity(elements.count)
            for element in elements { values.append(try evaluate(element)) }
            return .list(values)
        case .map(let entries):
            return try evaluateMap(entries)
        case .not(let operand):
            let value = try evaluate(operand)
            guard case .bool(let truth) = value else {
                throw .runtime("'!' expects bool, got \(value.typeName)", at: node.offset)
            }
            return .bool(!truth)
        case .negate(let operand):
            return try Self.negate(try evaluate(operand), at: node.offset)
        case .binary(let operation, let left, let right):
            let leftValue = try evaluate(left)
            let rightValue = try evaluate(right)
            return try apply(operation, leftValue, rightValue, at: node.offset)
        case .and(let operands):
            return try evaluateLogic(operands, deciding: false, symbol: "&&")
        case .or(let operands):
            return try evaluateLogic(operands, deciding: true, symbol: "||")
        case .conditional(let condition, let then, let otherwise):
            guard case .bool(let chosen) = try evaluate(condition) else {
                throw .runtime("condition of '?:' must be bool", at: condition.offset)
            }
            return try evaluate(chosen ? then : otherwise)
        case .has(let selection):
            return .bool(try resolvePath(selection) != nil)
        case .call(let function, let target, let arguments):
            return try evaluateCall(function, target: target, arguments: arguments, at: node.offset)
        case .comprehension(let macro, let target, let variable, let arguments):
            return try evaluateComprehension(macro, target: target, variable: variable, arguments: arguments, at: node.offset)
        }
    }

    private mutating func evaluateMap(_ entries: [ExpressionMapEntry]) throws(ExpressionError) -> PolicyValue {
        var result: [String: PolicyValue] = [:]
        for entry in entries {
            let key = try evaluate(entry.key)
            guard case .string(let name) = key else {
                throw .runtime("map keys must be strings, got \(key.typeName)", at: entry.key.offset)
            }
            guard result[name] == nil else { throw .runtime("duplicate map key '\(name)'", at: entry.key.offset) }
            result[name] = try evaluate(entry.value)
        }
        return .map(result)
    }

    /// CEL's commutative `&&`/`||`: a deciding operand (false for `&&`, true for `||`) wins even
    /// if another operand failed, so `false && x.missing` is false in either order. Running out
    /// of budget is never absorbed.
    private mutating func evaluateLogic(_ operands: [ExpressionNode], deciding: Bool, symbol: String) throws(ExpressionError) -> PolicyValue {
        var firstError: ExpressionError?
        for operand in operands {
            do {
                let value = try evaluate(operand)
                guard case .bool(let truth) = value else {
                    firstError = firstError ?? .runtime("'\(symbol)' expects bool, got \(value.typeName)", at: operand.offset)
                    continue
                }
                if truth == deciding { return .bool(deciding) }
            } catch {
                if error.isCostExceeded { throw error }
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return .bool(!deciding)
    }

    /// The value at the end of a field path, or nil when any step is absent or not a map;
    /// this is what `has()` tests.
    private mutating func resolvePath(_ node: ExpressionNode) throws(ExpressionError) -> PolicyValue? {
        switch node.form {
        case .identifier(let name):
            try meter.charge(at: node.offset)
            if let local = locals.last(where: { $0.name == name }) { return local.value }
            return bindings[name]
        case .select(let operand, let field):
            try meter.charge(at: node.offset)
            guard case .map(let entries)? = try resolvePath(operand) else { return nil }
            return entries[field]
        default:
            return try evaluate(node)
        }
    }

    static func select(_ field: String, from base: PolicyValue, at offset: Int) throws(ExpressionError) -> PolicyValue {
        guard case .map(let entries) = base else {
            throw .runtime("cannot select field '\(field)' on \(base.typeName)", at: offset)
        }
        guard let value = entries[field] else { throw .runtime("no such key '\(field)'", at: offset) }
        return value
    }

    static func index(_ base: PolicyValue, by key: PolicyValue, at offset: Int, keyOffset: Int) throws(ExpressionError) -> PolicyValue {
        switch (base, key) {
        case (.list(let elements), .int(let position)):
            guard position >= 0, position < elements.count else {
                throw .runtime("index \(position) out of range for list of size \(elements.count)", at: keyOffset)
            }
            return elements[Int(position)]
        case (.list, _):
            throw .runtime("list index must be int, got \(key.typeName)", at: keyOffset)
        case (.map(let entries), .string(let name)):
            guard let value = entries[name] else { throw .runtime("no such key '\(name)'", at: keyOffset) }
            return value
        case (.map, _):
            throw .runtime("map key must be string, got \(key.typeName)", at: keyOffset)
        default:
            throw .runtime("cannot index \(base.typeName)", at: offset)
        }
    }
}
