/// Recursive-descent parser with CEL precedence:
/// `?:` < `||` < `&&` < relations < `+ -` < `* / %` < unary `! -` < member, index and call.
/// Recursion is bounded by `ExpressionLimits.maximumDepth`, so no input can exhaust the stack.
struct ExpressionParser {
    let characters: [Character]
    private let tokens: [ExpressionToken]
    private var cursor = 0
    private var depth = 0

    init(source: String) throws(ExpressionError) {
        let characters = Array(source)
        guard characters.count <= ExpressionLimits.maximumSourceLength else {
            throw .syntax(
                "expression is longer than \(ExpressionLimits.maximumSourceLength) characters",
                at: ExpressionLimits.maximumSourceLength
            )
        }
        var lexer = ExpressionLexer(characters)
        self.characters = characters
        self.tokens = try lexer.tokenize()
    }

    mutating func parse() throws(ExpressionError) -> ExpressionNode {
        let node = try parseExpression()
        guard current.kind == .end else { throw .syntax("unexpected \(current.quotedForMessage)", at: current.offset) }
        return node
    }

    // MARK: Token access

    var current: ExpressionToken { tokens[cursor] }

    func peek(_ distance: Int) -> ExpressionToken { tokens[min(cursor + distance, tokens.count - 1)] }

    mutating func advance() -> ExpressionToken {
        let token = tokens[cursor]
        if cursor < tokens.count - 1 { cursor += 1 }
        return token
    }

    mutating func consume(_ symbol: String) -> Bool {
        guard current.isSymbol(symbol) else { return false }
        _ = advance()
        return true
    }

    mutating func expect(_ symbol: String, _ message: String) throws(ExpressionError) {
        guard consume(symbol) else { throw .syntax(message, at: current.offset) }
    }

    /// Every recursion into a sub-expression goes through here.
    mutating func descend() throws(ExpressionError) {
        depth += 1
        if depth > ExpressionLimits.maximumDepth { throw Self.tooDeep(at: current.offset) }
    }

    static func tooDeep(at offset: Int) -> ExpressionError {
        .syntax("expression nests deeper than \(ExpressionLimits.maximumDepth) levels", at: offset)
    }

    func node(_ form: ExpressionNode.Form, at offset: Int) throws(ExpressionError) -> ExpressionNode {
        let height = 1 + (form.children.map(\.height).max() ?? 0)
        guard height <= ExpressionLimits.maximumDepth else { throw Self.tooDeep(at: offset) }
        return ExpressionNode(form: form, offset: offset, height: height)
    }

    // MARK: Operators

    mutating func parseExpression() throws(ExpressionError) -> ExpressionNode {
        try descend()
        defer { depth -= 1 }
        let condition = try parseOr()
        guard current.isSymbol("?") else { return condition }
        let questionMark = advance().offset
        let then = try parseOr()
        try expect(":", "expected ':' in conditional expression")
        let otherwise = try parseExpression()
        return try node(.conditional(condition, then: then, else: otherwise), at: questionMark)
    }

    private mutating func parseOr() throws(ExpressionError) -> ExpressionNode {
        var operands = [try parseAnd()]
        var firstOperator: Int?
        while current.isSymbol("||") {
            firstOperator = firstOperator ?? current.offset
            _ = advance()
            operands.append(try parseAnd())
        }
        guard let firstOperator else { return operands[0] }
        return try node(.or(operands), at: firstOperator)
    }

    private mutating func parseAnd() throws(ExpressionError) -> ExpressionNode {
        var operands = [try parseRelation()]
        var firstOperator: Int?
        while current.isSymbol("&&") {
            firstOperator = firstOperator ?? current.offset
            _ = advance()
            operands.append(try parseRelation())
        }
        guard let firstOperator else { return operands[0] }
        return try node(.and(operands), at: firstOperator)
    }

    private mutating func parseRelation() throws(ExpressionError) -> ExpressionNode {
        var left = try parseAddition()
        while let relation = relationOperator() {
            let offset = advance().offset
            let right = try parseAddition()
            left = try node(.binary(relation, left, right), at: offset)
        }
        return left
    }

    private func relationOperator() -> ExpressionOperator? {
        switch current.kind {
        case .symbol(let text):
            guard let relation = ExpressionOperator(rawValue: text), !relation.isArithmetic else { return nil }
            return relation
        case .identifier("in"): return .in
        default: return nil
        }
    }

    private mutating func parseAddition() throws(ExpressionError) -> ExpressionNode {
        var left = try parseMultiplication()
        while current.isSymbol("+") || current.isSymbol("-") {
            let token = advance()
            let right = try parseMultiplication()
            left = try node(.binary(token.isSymbol("+") ? .add : .subtract, left, right), at: token.offset)
        }
        return left
    }

    private mutating func parseMultiplication() throws(ExpressionError) -> ExpressionNode {
        var left = try parseUnary()
        while current.isSymbol("*") || current.isSymbol("/") || current.isSymbol("%") {
            let token = advance()
            let operation: ExpressionOperator = token.isSymbol("*") ? .multiply : token.isSymbol("/") ? .divide : .remainder
            let right = try parseUnary()
            left = try node(.binary(operation, left, right), at: token.offset)
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionError) -> ExpressionNode {
        if current.isSymbol("!") {
            let offset = advance().offset
            try descend()
            defer { depth -= 1 }
            return try node(.not(try parseUnary()), at: offset)
        }
        if current.isSymbol("-") {
            let offset = current.offset
            if let literal = try negativeLiteral() { return literal }
            _ = advance()
            try descend()
            defer { depth -= 1 }
            return try node(.negate(try parseUnary()), at: offset)
        }
        return try parsePostfix()
    }

    /// Folds `-5` into one literal so that `-9223372036854775808` (Int64.min) is expressible.
    /// Not when a member or index follows: `-x.y` means `-(x.y)`.
    private mutating func negativeLiteral() throws(ExpressionError) -> ExpressionNode? {
        let follower = peek(2)
        guard !follower.isSymbol("."), !follower.isSymbol("[") else { return nil }
        let offset = current.offset
        switch peek(1).kind {
        case .integer(let magnitude):
            guard magnitude <= UInt64(Int64.max) + 1 else { throw .syntax("integer literal out of range", at: offset) }
            _ = advance()
            _ = advance()
            let value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            return try node(.literal(.int(value)), at: offset)
        case .number(let value):
            _ = advance()
            _ = advance()
            return try node(.literal(.double(-value)), at: offset)
        default:
            return nil
        }
    }
}
