internal import OrbrecCore
internal import Yams

/// Collects diagnostics for one file and turns Yams marks into source locations.
final class DecodeContext {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    /// The file's lines, for positions Yams does not give (where a block scalar's text starts).
    let lines: [Substring]

    init(file: String, text: String = "") {
        self.file = file
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The 1-based column where the first non-blank line after `line` starts.
    func indentation(after line: Int) -> Int? {
        guard line < lines.count else { return nil }
        for candidate in lines[line...] where !candidate.allSatisfy({ $0 == " " || $0 == "\r" }) {
            return candidate.prefix(while: { $0 == " " }).count + 1
        }
        return nil
    }

    func location(of node: Node) -> SourceLocation? {
        node.mark.map { location(of: $0) }
    }

    func location(of mark: Mark) -> SourceLocation {
        SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func error(_ code: String, _ message: String, at node: Node?) {
        diagnostics.append(.error(code, message, at: node.flatMap(location(of:))))
    }

    func error(_ code: String, _ message: String, at location: SourceLocation?) {
        diagnostics.append(.error(code, message, at: location))
    }

    func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}
