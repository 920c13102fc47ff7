import Foundation
import Testing
import OrbrecStore
import OrbrecTestSupport

/// The test server seen from outside orbrec, through psql as its superuser: to make a schema
/// orbrec did not make, to write behind a store's back, to look at what a store left.
enum TestPostgres {
    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// The server's URL (trust authentication, the default schema).
    static func url() throws -> String {
        guard let url = TestStateBackend.postgresURL else {
            throw Failed(description: "ORBREC_TEST_POSTGRES is not set: run scripts/test.sh, which starts PostgreSQL")
        }
        return url
    }

    /// A schema name no test has used: the server is shared by the whole run.
    static func freshSchema() -> String { "t_" + String(format: "%08x", UInt32.random(in: .min ... .max)) }

    /// The server's URL with these query parameters (`schema=…`, `sslmode=…`).
    static func url(_ parameters: [String: String]) throws -> String {
        let base = try url()
        let query = parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        return query.isEmpty ? base : base + (base.contains("?") ? "&" : "?") + query
    }

    /// The schema a test location names.
    static func schema(of location: String) throws -> String {
        guard case .postgres(let url) = try StateAddress.parse(location) else {
            throw Failed(description: "\(location) is not a PostgreSQL state")
        }
        return url.schema
    }

    /// Runs `sql` (one or more statements, stopping at the first error) and answers its rows,
    /// one a line, columns separated by '|'.
    @discardableResult
    static func psql(_ sql: String) throws -> [String] {
        let process = Process()
        let bin = ProcessInfo.processInfo.environment["PG_BIN"].map { $0 + "/psql" }
        process.executableURL = URL(fileURLWithPath: bin.flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
                                    ?? "/usr/bin/psql")
        process.arguments = [try url(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(description: "psql -c \(sql) failed: \(String(decoding: message, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The tables in `schema`, sorted; empty when there is no such schema.
    static func tables(in schema: String) throws -> [String] {
        try psql("SELECT table_name FROM information_schema.tables WHERE table_schema = '\(schema)' ORDER BY table_name")
    }

    static func schemaExists(_ schema: String) throws -> Bool {
        try psql("SELECT count(*) FROM pg_namespace WHERE nspname = '\(schema)'") == ["1"]
    }
}
