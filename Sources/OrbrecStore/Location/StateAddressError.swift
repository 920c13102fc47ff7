/// Why `--state` could not be read. Every message is built here, from parts that cannot hold
/// the password: the scheme, parameter names and values from the query, and fixed text. Nothing
/// between `://` and the path is ever echoed, because a malformed URL can put (part of) the
/// password anywhere in there.
public struct StateAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    private init(_ message: String) { self.message = message }

    public var description: String { message }

    static let empty = Self("the state location is empty (give a file path or a postgres:// URL)")

    static func unsupportedScheme(_ scheme: String) -> Self {
        Self("unsupported state URL scheme '\(scheme)' (use a file path or postgres://…)")
    }

    static let notAURL = Self("the state location is not a postgres:// URL")

    static func missingSlashes(_ scheme: String) -> Self {
        Self("a state URL is written '\(scheme)://host/database'; to use a file whose name begins with '\(scheme):', "
            + "write it as ./\(scheme):…")
    }

    static let missingHost = Self(
        "the state URL names no host (postgres://host/database): orbrec reaches PostgreSQL over TCP, not a local socket")

    static let socketHost = Self(
        "the state URL's host is a socket directory; orbrec reaches PostgreSQL over TCP, so give a host name or address")

    static let severalHosts = Self("the state URL names several hosts; orbrec takes one (postgres://host:port/database)")

    static let unclosedBracket = Self("the state URL's host opens '[' for an IPv6 address but does not close it with ']'")

    static let afterBracket = Self("the state URL has text after the IPv6 address's ']' that is not ':port'")

    static let badPort = Self("the state URL's port is not a number from 1 to 65535")

    static func badEncoding(_ part: String) -> Self {
        Self("the state URL's \(part) has a '%' that is not followed by two hex digits, or is not UTF-8 once decoded")
    }

    static func unknownParameter(_ name: String) -> Self {
        Self("unknown state URL parameter '\(name)' (known: \(PostgresStateURL.Parameter.allCases.map(\.rawValue).joined(separator: ", ")))")
    }

    static func repeatedParameter(_ name: String) -> Self {
        Self("the state URL parameter '\(name)' is given more than once")
    }

    static func parameterWithoutValue(_ name: String) -> Self {
        Self("the state URL parameter '\(name)' has no value (write \(name)=value)")
    }

    static func badSSLMode(_ value: String) -> Self {
        Self("unknown sslmode '\(value)' (use \(PostgresStateURL.SSLMode.allCases.map(\.rawValue).joined(separator: ", ")))")
    }

    static func badSchema(_ value: String) -> Self {
        Self("the schema '\(value)' is not a plain identifier: it must match [a-z_][a-z0-9_]{0,48} "
            + "(it is written unquoted into SQL, and names the state's notification channels, which PostgreSQL caps at 63 bytes)")
    }

    static func reservedSchema(_ value: String) -> Self {
        Self("the schema '\(value)' begins with 'pg_', which PostgreSQL keeps for its own schemas")
    }
}
