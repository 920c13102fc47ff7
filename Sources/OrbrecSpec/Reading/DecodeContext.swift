internal import OrbrecCore
internal import Yams

/// Collects diagnostics for one file and turns Yams marks into source locations.
final class DecodeContext {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    private let text: String
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
}
