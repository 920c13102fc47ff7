/// Where an expression was written in a file, so that a position inside the expression is
/// reported as the file's own line and column.
public struct ExpressionSite: Hashable, Sendable, Codable {
    /// Where the scalar starts (its first quote, or the `|` of a block).
    public var start: SourceLocation
    /// Where each character of the expression was written (through quotes, escapes, folded
    /// lines and indentation); empty when it could not be worked out.
    public var positions: [SourceLocation]

    public init(start: SourceLocation, positions: [SourceLocation] = []) {
        self.start = start
        self.positions = positions
    }

    /// The file position of a character offset inside the expression; just past its end for
    /// an error at the end (`expected an expression`), the scalar's start when unknown.
    public func location(ofOffset offset: Int) -> SourceLocation {
        if positions.indices.contains(offset) { return positions[offset] }
        if offset >= positions.count, var last = positions.last {
            last.column += 1
            return last
        }
        return start
    }

    /// The file position of an expression error.
    public func location(of error: ExpressionError) -> SourceLocation {
        location(ofOffset: error.offset)
    }
}
