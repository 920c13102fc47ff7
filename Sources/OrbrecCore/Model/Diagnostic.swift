/// A problem found in what the user wrote or asked for, as a value.
///
/// Diagnostics are rendered only at the edges (CLI, HTTP, MCP); here they are data.
public struct Diagnostic: Hashable, Sendable, Codable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case error
        case warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .error && rhs == .warning
        }
    }

    public var severity: Severity
    /// A stable, machine-readable code such as `unknown-field`.
    public var code: String
    public var message: String
    public var location: SourceLocation?
    /// The source line at `location` with a caret, for problems shown best in the text.
    public var excerpt: SourceExcerpt?

    public init(_ severity: Severity = .error, code: String, message: String, at location: SourceLocation? = nil,
                excerpt: SourceExcerpt? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.excerpt = excerpt
    }

    public static func error(_ code: String, _ message: String, at location: SourceLocation?) -> Diagnostic {
        Diagnostic(.error, code: code, message: message, at: location)
    }

    public static func warning(_ code: String, _ message: String, at location: SourceLocation?) -> Diagnostic {
        Diagnostic(.warning, code: code, message: message, at: location)
    }

    /// `file:line:col: error: message`, the form compilers use and editors understand.
    public var rendered: String {
        if let location {
            return "\(location): \(severity.rawValue): \(message)"
        }
        return "\(severity.rawValue): \(message)"
    }

    /// `rendered`, then the source line and a caret when there is an excerpt: what a person
    /// reads. The first line stays `file:line:col: error: message` for tools; logs and API
    /// answers keep to `rendered`, one line.
    public var renderedWithExcerpt: String {
        ([rendered] + (excerpt?.rendered ?? [])).joined(separator: "\n")
    }
}

extension Array where Element == Diagnostic {
    /// Diagnostics ordered by file, line and column, those without a location last.
    public func sortedByLocation() -> [Diagnostic] {
        sorted { lhs, rhs in
            switch (lhs.location, rhs.location) {
            case let (l?, r?): return l == r ? lhs.message < rhs.message : l < r
            case (.some, .none): return true
            case (.none, .some): return false
            case (.none, .none): return lhs.message < rhs.message
            }
        }
    }

    public var hasErrors: Bool { contains { $0.severity == .error } }
}
