/// Where an expression was written in a file, so that a position inside the expression can
/// be reported as the file's own line and column.
public struct ExpressionSite: Hashable, Sendable, Codable {
    public enum Style: String, Hashable, Sendable, Codable {
        /// Written on the key's line, unquoted.
        case plain
        /// Written between quotes on the key's line: the text starts one column later.
        case quoted
        /// A `|` or `>` block: the text starts on the next line, at `blockIndent`.
        case block
    }

    /// Where the scalar starts (its first quote, or the `|` of a block).
    public var start: SourceLocation
    public var style: Style
    /// The column (1-based) where a block scalar's lines start.
    public var blockIndent: Int

    public init(start: SourceLocation, style: Style, blockIndent: Int = 1) {
        self.start = start
        self.style = style
        self.blockIndent = blockIndent
    }

    /// The file position of a 1-based line and column inside the expression text.
    public func location(line: Int, column: Int) -> SourceLocation {
        switch style {
        case .block:
            return SourceLocation(file: start.file, line: start.line + line, column: blockIndent + column - 1)
        case .plain, .quoted:
            let shift = style == .quoted ? 1 : 0
            if line == 1 {
                return SourceLocation(file: start.file, line: start.line, column: start.column + shift + column - 1)
            }
            // A scalar folded over several lines: the line is right, the indentation is a guess.
            return SourceLocation(file: start.file, line: start.line + line - 1, column: column)
        }
    }

    /// The file position of an expression error.
    public func location(of error: ExpressionError, in source: String) -> SourceLocation {
        let position = error.position(in: source)
        return location(line: position.line, column: position.column)
    }
}
