import Foundation

/// The state backends a test can run against: a SQLite file, or the PostgreSQL server that
/// scripts/test.sh starts (scripts/lib/postgres.sh) and names in `ORBREC_TEST_POSTGRES`.
///
/// Tests about state take `@Test(arguments: TestStateBackend.allCases)` and get their state
/// from `location(in:)`. Without `ORBREC_TEST_POSTGRES` the PostgreSQL half fails, it is
/// never skipped.
public enum TestStateBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// Why a PostgreSQL test cannot get its state; Swift Testing reports it by its description.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The state for one test, never shared with another: the file `state.db` in `directory`,
    /// or the test server's URL with a schema of its own (`schema=t_<8 hex>`, new on every
    /// call and never dropped: the whole cluster is deleted when the suite ends).
    public func location(in directory: String) throws -> String {
        switch self {
        case .sqlite:
            return directory.hasSuffix("/") ? directory + "state.db" : directory + "/state.db"
        case .postgres:
            guard let url = Self.postgresURL else {
                throw Unavailable(description: "ORBREC_TEST_POSTGRES is not set: run scripts/test.sh, which starts PostgreSQL")
            }
            let schema = "t_" + String(format: "%08x", UInt32.random(in: .min ... .max))
            return url + (url.contains("?") ? "&" : "?") + "schema=" + schema
        }
    }

    /// The test server's URL (`postgres://postgres@127.0.0.1:PORT/orbrec_test`, trust
    /// authentication), or nil outside scripts/test.sh.
    public static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["ORBREC_TEST_POSTGRES"], !url.isEmpty else { return nil }
        return url
    }
}
