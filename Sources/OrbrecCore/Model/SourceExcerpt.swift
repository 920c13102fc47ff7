/// The line a diagnostic points into, as written, shown under it with a caret at the column,
/// as compilers do, for problems whose message alone does not show where the text is wrong
/// (YAML syntax errors, duplicate keys).
public struct SourceExcerpt: Hashable, Sendable, Codable {
    public var line: Int
    /// The line's text; a long line is cut to the part around the column.
    public var text: String
    /// 1-based, in Unicode scalars of `text` (libyaml counts columns so).
    public var column: Int

    /// Lines longer than this are shown as the part around the column.
    public static let maxWidth = 160

    public init(line: Int, text: String, column: Int) {
        var scalars = Array(text.unicodeScalars)
        var column = max(1, min(column, scalars.count + 1))
        if scalars.count > Self.maxWidth {
            let start = max(0, min(column - 1 - Self.maxWidth / 2, scalars.count - Self.maxWidth))
            scalars = Array(scalars[start..<(start + Self.maxWidth)])
            column -= start
        }
        self.line = line
        self.text = String(String.UnicodeScalarView(scalars))
        self.column = column
    }

    /// ` 22 |   count: 4` and ` 22 |   ^` under it: the gutter keeps the source line from
    /// being read as a `file:line:col:` line by tools that parse diagnostics.
    public var rendered: [String] {
        let gutter = String(line)
        // A tab before the column stays a tab, so that the caret lines up in a terminal.
        let pad = text.unicodeScalars.prefix(column - 1).map { $0 == "\t" ? "\t" : " " }.joined()
        return [" \(gutter) | \(text)", " \(String(repeating: " ", count: gutter.count)) | \(pad)^"]
    }
}
