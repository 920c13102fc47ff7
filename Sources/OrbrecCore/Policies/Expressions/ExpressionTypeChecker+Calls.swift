extension ExpressionTypeChecker {
    mutating func callType(
        _ function: ExpressionFunction, target: ExpressionNode?, arguments: [ExpressionNode], at offset: Int
    ) throws(ExpressionError) -> ExpressionType {
        var types: [ExpressionType] = []
        if let target { types.append(try check(target)) }
        for argument in arguments { types.append(try check(argument)) }
        let subject = types[0]
        let name = function.rawValue

        func require(_ accepted: (ExpressionType) -> Bool, _ type: ExpressionType, _ message: String, at position: Int) throws(ExpressionError) {
            guard type.isDyn || accepted(type) else { throw .type(message, at: position) }
        }
        func requireStringReceiver() throws(ExpressionError) {
            if target != nil {
                try require({ $0 == .string }, subject, "'\(name)' is not a method of \(subject.displayName)", at: offset)
            } else {
                try require({ $0 == .string }, subject, "\(name)() expects a string, got \(subject.displayName)", at: arguments[0].offset)
            }
        }

        switch function {
        case .size:
            try require(
                { $0 == .string || $0.isMapLike || { if case .list = $0 { true } else { false } }($0) },
                subject, "size() expects a string, list or map, got \(subject.displayName)", at: offset
            )
            return .int
        case .startsWith, .endsWith, .contains:
            try requireStringReceiver()
            try require({ $0 == .string }, types[1], "\(name)() expects a string argument, got \(types[1].displayName)", at: arguments[0].offset)
            return .bool
        case .matches:
            try requireStringReceiver()
            let pattern = arguments[arguments.count - 1]
            try require({ $0 == .string }, types[types.count - 1], "matches() expects a string pattern, got \(types[types.count - 1].displayName)", at: pattern.offset)
            if case .literal(.string(let text)) = pattern.form {
                do {
                    literalPatterns[pattern.offset] = try SafeRegex(compiling: text)
                } catch {
                    throw .type("invalid regex: \(error.message)", at: pattern.offset)
                }
            }
            return .bool
        case .lowerAscii, .upperAscii:
            try requireStringReceiver()
            return .string
        case .int, .double:
            try require(
                { $0.isNumeric || $0 == .string }, subject,
                "\(name)() cannot convert \(subject.displayName)", at: arguments[0].offset
            )
            return function == .int ? .int : .double
        case .string:
            return .string
        }
    }
}
