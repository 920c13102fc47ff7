/// One lexical token with the Character offset where it starts.
struct ExpressionToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// Magnitude only: `-9223372036854775808` is folded by the parser, so the lexer must
        /// accept one more than `Int64.max`.
        case integer(UInt64)
        case number(Double)
        case string(String)
        case identifier(String)
        case symbol(String)
        case end
    }

    let kind: Kind
    let offset: Int

    func isSymbol(_ text: String) -> Bool { kind == .symbol(text) }

    /// How the token is named in "unexpected ..." messages.
    var quotedForMessage: String {
        switch kind {
        case .integer(let value): "'\(value)'"
        case .number(let value): "'\(value)'"
        case .string: "string literal"
        case .identifier(let name): "'\(name)'"
        case .symbol(let text): "'\(text)'"
        case .end: "end of expression"
        }
    }
}
