/// A state in PostgreSQL: `postgres://user:password@host:port/database?sslmode=…&schema=…`.
///
/// Only `init(parsing:)` makes one, so every value holds what the parser checks: a TCP host,
/// a port in range, a schema that is safe to write unquoted into SQL. `description`, `redacted`
/// and the mirror leave the password out, so interpolating or dumping one never shows it.
public struct PostgresStateURL: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// libpq's `sslmode`, with libpq's default.
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// The query parameters the URL accepts, in the order `redacted` writes them.
    enum Parameter: String, CaseIterable {
        case sslmode, sslrootcert, schema
        case applicationName = "application_name"
    }

    static let schemes = ["postgres", "postgresql"]
    public static let defaultPort = 5432
    public static let defaultSchema = "orbrec"

    public internal(set) var user: String
    public internal(set) var password: String?
    /// An IPv6 address is kept without its brackets, as libpq and `.pgpass` name it.
    public internal(set) var host: String
    public internal(set) var port: Int
    public internal(set) var database: String
    public internal(set) var sslMode: SSLMode
    public internal(set) var sslRootCert: String?
    public internal(set) var schema: String
    public internal(set) var applicationName: String?

    public var description: String { redacted }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "user": user, "password": password.map { _ in "***" } as Any, "host": host, "port": port, "database": database,
            "sslMode": sslMode, "sslRootCert": sslRootCert as Any, "schema": schema, "applicationName": applicationName as Any,
        ], displayStyle: .struct)
    }
}
