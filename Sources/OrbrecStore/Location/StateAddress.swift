internal import Foundation

/// Where the state lives, as `--state` or `ORBREC_STATE` names it: a SQLite file, or a
/// PostgreSQL database shared by several machines.
///
/// Text is a URL only when it begins with a scheme and `://` (`postgres://…`); anything else,
/// `state/a://b` included, is a file path, so any existing path keeps working. `postgres:` without
/// the slashes is refused rather than read as a file name: it is far likelier a mistyped URL.
public enum StateAddress: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case postgres(PostgresStateURL)

    /// Reads the user and the database's defaults from this process's environment.
    public static func parse(_ text: String) throws(StateAddressError) -> StateAddress {
        try parse(text, environment: ProcessInfo.processInfo.environment)
    }

    public static func parse(_ text: String, environment: [String: String]) throws(StateAddressError) -> StateAddress {
        guard !text.isEmpty else { throw .empty }
        if let scheme = scheme(of: text) {
            guard PostgresStateURL.schemes.contains(scheme.lowercased()) else { throw .unsupportedScheme(String(scheme)) }
            return .postgres(try PostgresStateURL(parsing: text, environment: environment))
        }
        let lowered = text.lowercased()
        if let bare = PostgresStateURL.schemes.first(where: { lowered.hasPrefix($0 + ":") }) {
            throw .missingSlashes(bare)
        }
        return .file(text)
    }

    /// The location as messages, logs and saved plans show it: never the password.
    public var redacted: String {
        switch self {
        case .file(let path): path
        case .postgres(let url): url.redacted
        }
    }

    public var description: String { redacted }

    /// The RFC 3986 scheme (a letter, then letters, digits, '+', '-' or '.') when `text` starts
    /// with one followed by `://`.
    private static func scheme(of text: String) -> Substring? {
        guard let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") else { return nil }
        let scheme = text[..<colon]
        guard let first = scheme.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic,
              scheme.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) })
        else { return nil }
        return scheme
    }
}
