internal import OrbrecCore
internal import Yams

/// Collects diagnostics for one file and turns Yams marks into source locations.
final class DecodeContext {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    let text: String
    /// The file's lines, for where each character of a policy expression was written (Yams
    /// gives only where a scalar starts); split only when a file has one.
    private(set) lazy var lines: [Substring] = text.split(separator: "\n", omittingEmptySubsequences: false)

    init(file: String, text: String = "") {
        self.file = file
        self.text = text
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

    /// The line at `location` as written, for a caret under its column.
    func excerpt(at location: SourceLocation) -> SourceExcerpt? {
        guard location.line >= 1, location.line <= lines.count else { return nil }
        var text = lines[location.line - 1]
        if text.hasSuffix("\r") { text = text.dropLast() }
        return SourceExcerpt(line: location.line, text: String(text), column: location.column)
    }

    /// An error shown with its source line and a caret.
    func errorWithExcerpt(_ code: String, _ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(.error, code: code, message: message, at: location, excerpt: excerpt(at: location)))
    }

    /// Fields an unknown-field hint already accounts for (`cuont` for `count`), by the
    /// mapping they are missing from: reported once, not again as missing.
    private var explained: Set<String> = []

    func explain(_ field: String, in mapping: Node) {
        explained.insert(Self.key(field, mapping))
    }

    func isExplained(_ field: String, in mapping: Node) -> Bool {
        explained.contains(Self.key(field, mapping))
    }

    private static func key(_ field: String, _ node: Node) -> String {
        let mark = node.mark
        return "\(mark?.line ?? 0):\(mark?.column ?? 0):\(field)"
    }
}
