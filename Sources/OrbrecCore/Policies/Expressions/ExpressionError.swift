/// A problem found while parsing, checking or evaluating an expression. `code` is one of
/// `expression-syntax`, `expression-type`, `expression-runtime` or `expression-cost`.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String
    /// 0-based offset in Characters into the expression source where the problem starts.
    public var offset: Int

    public init(code: String, message: String, offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(code) at offset \(offset): \(message)" }

    /// The 1-based line and column of `offset`; expressions often come from multi-line YAML
    /// block scalars, where an offset alone is hard to find.
    public func position(in source: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in source.prefix(max(0, offset)) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}

extension ExpressionError {
    static let syntaxCode = "expression-syntax"
    static let typeCode = "expression-type"
    static let runtimeCode = "expression-runtime"
    static let costCode = "expression-cost"

    static func syntax(_ message: String, at offset: Int) -> ExpressionError {
        ExpressionError(code: syntaxCode, message: message, offset: offset)
    }

    static func type(_ message: String, at offset: Int) -> ExpressionError {
        ExpressionError(code: typeCode, message: message, offset: offset)
    }

    static func runtime(_ message: String, at offset: Int) -> ExpressionError {
        ExpressionError(code: runtimeCode, message: message, offset: offset)
    }

    var isCostExceeded: Bool { code == Self.costCode }

    func shifted(by distance: Int) -> ExpressionError {
        ExpressionError(code: code, message: message, offset: offset + distance)
    }
}
