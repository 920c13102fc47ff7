extension ExpressionParser {
    func globalCall(_ name: String, arguments: [ExpressionNode], at offset: Int) throws(ExpressionError) -> ExpressionNode {
        if name == "has" {
            guard arguments.count == 1 else {
                throw .syntax("has() takes 1 argument, got \(arguments.count)", at: offset)
            }
            guard case .select = arguments[0].form else {
                throw .syntax("has() argument must be a field selection, like has(a.b)", at: arguments[0].offset)
            }
            return try node(.has(arguments[0]), at: offset)
        }
        if ExpressionMacro(rawValue: name) != nil {
            throw .syntax("'\(name)' is a macro; write list.\(name)(x, predicate)", at: offset)
        }
        guard let function = ExpressionFunction(rawValue: name) else {
            throw .syntax("unknown function '\(name)'", at: offset)
        }
        guard let arity = function.globalArity else {
            throw .syntax("'\(name)' is a method; write s.\(name)(...)", at: offset)
        }
        guard arguments.count == arity else {
            throw .syntax("\(name)() takes \(Self.phrase(arity)), got \(arguments.count)", at: offset)
        }
        return try node(.call(function, target: nil, arguments: arguments), at: offset)
    }

    func methodCall(
        _ name: String, target: ExpressionNode, arguments: [ExpressionNode], at offset: Int
    ) throws(ExpressionError) -> ExpressionNode {
        if let macro = ExpressionMacro(rawValue: name) {
            guard macro.acceptedArgumentCounts.contains(arguments.count) else {
                let expected = macro.acceptedArgumentCounts.map(String.init).joined(separator: " or ")
                throw .syntax("\(name)() takes \(expected) arguments, got \(arguments.count)", at: offset)
            }
            guard case .identifier(let variable) = arguments[0].form else {
                throw .syntax("the first argument of \(name)() must be a variable name", at: arguments[0].offset)
            }
            return try node(
                .comprehension(macro, target: target, variable: variable, arguments: Array(arguments.dropFirst())),
                at: offset
            )
        }
        guard let function = ExpressionFunction(rawValue: name) else {
            throw .syntax("unknown method '\(name)'", at: offset)
        }
        guard let arity = function.methodArity else {
            throw .syntax("'\(name)' is not a method; write \(name)(x)", at: offset)
        }
        guard arguments.count == arity else {
            throw .syntax("\(name)() takes \(Self.phrase(arity)), got \(arguments.count)", at: offset)
        }
        return try node(.call(function, target: target, arguments: arguments), at: offset)
    }

    private static func phrase(_ count: Int) -> String {
        switch count {
        case 0: "no arguments"
        case 1: "1 argument"
        default: "\(count) arguments"
        }
    }
}
