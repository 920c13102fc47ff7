internal import OrbrecCore
internal import Yams

/// Collects diagnostics for one file and turns Yams marks into source locations.
final class DecodeContext {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

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
