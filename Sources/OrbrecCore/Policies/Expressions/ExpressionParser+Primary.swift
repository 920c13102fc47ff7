extension ExpressionParser {
    /// A primary followed by any number of `.field`, `.method(...)` and `[index]` suffixes.
    mutating func parsePostfix() throws(ExpressionError) -> ExpressionNode {
        let chainStart = current.offset
        var operand = try parsePrimary()
        while true {
            if current.isSymbol(".") {
                let dot = advance().offset
                guard case .identifier(let name) = current.kind else {
                    throw .syntax("expected field name after '.'", at: current.offset)
                }
                let nameOffset = current.offset
                if ExpressionReservedWords.all.contains(name) || ["true", "false", "null"].contains(name) {
                    let base = String(characters[chainStart..<dot]).trimmingWhitespace
                    throw .syntax("'\(name)' is a reserved word; write \(base)['\(name)']", at: nameOffset)
                }
                _ = advance()
                if current.isSymbol("(") {
                    _ = advance()
                    let arguments = try parseArguments()
                    operand = try methodCall(name, target: operand, arguments: arguments, at: nameOffset)
                } else {
                    operand = try node(.select(operand, field: name), at: nameOffset)
                }
            } else if current.isSymbol("[") {
                let bracket = advance().offset
                let key = try parseExpression()
                try expect("]", "expected ']' after index")
                operand = try node(.index(operand, key), at: bracket)
            } else {
                return operand
            }
        }
    }

    private mutating func parsePrimary() throws(ExpressionError) -> ExpressionNode {
        let token = current
        switch token.kind {
        case .integer(let magnitude):
            guard magnitude <= UInt64(Int64.max) else { throw .syntax("integer literal out of range", at: token.offset) }
            _ = advance()
            return try node(.literal(.int(Int64(magnitude))), at: token.offset)
        case .number(let value):
            _ = advance()
            return try node(.literal(.double(value)), at: token.offset)
        case .string(let value):
            _ = advance()
            return try node(.literal(.string(value)), at: token.offset)
        case .identifier(let name):
            return try parseIdentifier(name, at: token.offset)
        case .symbol("("):
            _ = advance()
            let inner = try parseExpression()
            try expect(")", "expected ')' to close '('")
            return inner
        case .symbol("["):
            _ = advance()
            let elements = try parseSequence(closing: "]", message: "expected ']' after list elements")
            return try node(.list(elements), at: token.offset)
        case .symbol("{"):
            _ = advance()
            return try node(.map(try parseMapEntries()), at: token.offset)
        case .end:
            throw .syntax("unexpected end of expression", at: token.offset)
        case .symbol:
            throw .syntax("expected expression, found \(token.quotedForMessage)", at: token.offset)
        }
    }

    private mutating func parseIdentifier(_ name: String, at offset: Int) throws(ExpressionError) -> ExpressionNode {
        switch name {
        case "true": _ = advance(); return try node(.literal(.bool(true)), at: offset)
        case "false": _ = advance(); return try node(.literal(.bool(false)), at: offset)
        case "null": _ = advance(); return try node(.literal(.null), at: offset)
        default: break
        }
        if ExpressionReservedWords.all.contains(name) {
            throw .syntax("'\(name)' is a reserved word and cannot be used as an identifier", at: offset)
        }
        _ = advance()
        guard current.isSymbol("(") else { return try node(.identifier(name), at: offset) }
        _ = advance()
        let arguments = try parseArguments()
        return try globalCall(name, arguments: arguments, at: offset)
    }

    private mutating func parseArguments() throws(ExpressionError) -> [ExpressionNode] {
        try parseSequence(closing: ")", message: "expected ')' after arguments")
    }

    /// Comma-separated expressions up to `closing`; a trailing comma is allowed.
    private mutating func parseSequence(closing: String, message: String) throws(ExpressionError) -> [ExpressionNode] {
        var elements: [ExpressionNode] = []
        while !current.isSymbol(closing) {
            elements.append(try parseExpression())
            if !consume(",") { break }
        }
        try expect(closing, message)
        return elements
    }

    private mutating func parseMapEntries() throws(ExpressionError) -> [ExpressionMapEntry] {
        var entries: [ExpressionMapEntry] = []
        while !current.isSymbol("}") {
            let key = try parseExpression()
            try expect(":", "expected ':' after map key")
            let value = try parseExpression()
            entries.append(ExpressionMapEntry(key: key, value: value))
            if !consume(",") { break }
        }
        try expect("}", "expected '}' after map entries")
        return entries
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        let characters = Array(self)
        guard let first = characters.firstIndex(where: { !$0.isWhitespace }),
              let last = characters.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(characters[first...last])
    }
}
