import Foundation
import OrbrecTestSupport
import Testing

/// The state seen from outside orbrec: whether it exists, for either backend.
extension Harness {
    /// Whether orbrec has created this harness's state: the file, or the schema on the server
    /// (asked of psql, not of orbrec, which is what is being tested).
    func stateExists() throws -> Bool {
        switch backend {
        case .sqlite:
            return FileManager.default.fileExists(atPath: state)
        case .postgres:
            let answer = try psql("SELECT count(*) FROM pg_namespace WHERE nspname = '\(try #require(schema))'")
            return answer == "1"
        }
    }

    /// The schema a PostgreSQL state names, or nil for a file.
    var schema: String? {
        guard backend == .postgres, let query = URLComponents(string: state)?.queryItems else { return nil }
        return query.first { $0.name == "schema" }?.value
    }

    /// Runs one statement with psql as the test server's superuser; its output, trimmed.
    func psql(_ statement: String) throws -> String {
        let server = try #require(TestStateBackend.postgresURL, "ORBREC_TEST_POSTGRES is not set: run scripts/test.sh")
        let result = try spawn(Self.psqlPath, [server, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", statement]).wait(timeout: 30)
        #expect(result.status == 0, "psql: \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// scripts/lib/postgres.sh exports the server's binaries as PG_BIN; Debian's client otherwise.
    static var psqlPath: String {
        if let bin = ProcessInfo.processInfo.environment["PG_BIN"], !bin.isEmpty { return bin + "/psql" }
        return "/usr/bin/psql"
    }
}
