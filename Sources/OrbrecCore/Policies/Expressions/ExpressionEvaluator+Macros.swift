extension ExpressionEvaluator {
    mutating func evaluateComprehension(
        _ macro: ExpressionMacro, target: ExpressionNode, variable: String, arguments: [ExpressionNode], at offset: Int
    ) throws(ExpressionError) -> PolicyValue {
        let elements: [PolicyValue]
        switch try evaluate(target) {
        case .list(let values): elements = values
        // Keys in scalar order so results do not depend on dictionary layout.
        case .map(let entries): elements = entries.keys.sorted(by: PolicyValue.scalarOrder).map(PolicyValue.string)
        case let other: throw .runtime("\(macro.rawValue)() expects a list or map, got \(other.typeName)", at: offset)
        }
        locals.append((variable, .null))
        defer { locals.removeLast() }

        var firstError: ExpressionError?
        var matches = 0
        var results: [PolicyValue] = []
        for element in elements {
            try meter.charge(at: offset)
            locals[locals.count - 1].value = element
            switch macro {
            case .all, .exists:
                // Same error absorption as `&&` (all) and `||` (exists).
                let deciding = macro == .exists
                do {
                    if try predicate(arguments[0], macro) == deciding { return .bool(deciding) }
                } catch {
                    if error.isCostExceeded { throw error }
                    firstError = firstError ?? error
                }
            case .existsOne:
                if try predicate(arguments[0], macro) { matches += 1 }
            case .filter:
                if try predicate(arguments[0], macro) { results.append(element) }
            case .map:
                var included = true
                if arguments.count == 2 { included = try predicate(arguments[0], macro) }
                if included {
                    results.append(try evaluate(arguments[arguments.count - 1]))
                }
            }
        }
        if let firstError { throw firstError }
        switch macro {
        case .all: return .bool(true)
        case .exists: return .bool(false)
        case .existsOne: return .bool(matches == 1)
        case .filter, .map: return .list(results)
        }
    }

    private mutating func predicate(_ node: ExpressionNode, _ macro: ExpressionMacro) throws(ExpressionError) -> Bool {
        let value = try evaluate(node)
        guard case .bool(let truth) = value else {
            throw .runtime("\(macro.rawValue)() predicate must be bool, got \(value.typeName)", at: node.offset)
        }
        return truth
    }
}
