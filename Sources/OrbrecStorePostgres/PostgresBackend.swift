internal import Foundation
internal import OrbrecCore
package import OrbrecStore
internal import PostgresNIO
internal import NIOSSL
internal import NIOCore
internal import Logging
internal import Synchronization

/// The state in a PostgreSQL schema, shared by every orbrec that is given its URL: CI
/// runners, workstations and several daemons. The backend behind `StateStore` for
/// `--state postgres://…`.
///
/// Every write is one transaction that first takes the journal's advisory lock, so writers
/// are serialised as SQLite serialises them and each body may read, decide and write as it
/// does on SQLite. Events are inserted at the end of the transaction (`StateTransaction`).
/// The methods of the port are in the PostgresBackend+*.swift files, each beside its SQLite twin.
package final class PostgresBackend: StateBackend {
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    package let stateID: String
    /// The redacted URL: no password.
    package let path: String
    let schema: String
    /// Advisory lock keys, per schema: one for journal writers, one for the event tail.
    let journalKey: Int64
    let eventsKey: Int64
    /// How many journal versions this process's own commits made, and how many commits
    /// ended without knowing whether they landed (`othersChangeCounter`).
    let ownVersions = Atomic<Int>(0)
    let uncertainCommits = Atomic<Int>(0)
    /// The lead this process's journal writes must still hold (PostgresBackend+Leader).
    let leaderFence = Mutex<Leadership?>(nil)
    /// The state lock this process's journal writes must still hold (`fenceLock`).
    let lockFence = Mutex<String?>(nil)
    /// This process's mark on what it announces, so it does not hear its own news again.
    let origin = UUID().uuidString
    /// Recorded with each attempt this process starts.
    let outputLocation = Mutex<String?>(nil)
    let fenced = Atomic<Bool>(false)

    private init(client: PostgresClient, runner: Task<Void, Never>, logger: Logger, stateID: String, path: String, schema: String,
                 journalKey: Int64, eventsKey: Int64) {
        self.client = client
        self.runner = runner
        self.logger = logger
        self.stateID = stateID
        self.path = path
        self.schema = schema
        self.journalKey = journalKey
        self.eventsKey = eventsKey
    }

    /// Connects, brings the schema up to date and reads the state's identity. With `create`
    /// false, returns nil (and creates nothing) when the schema holds no orbrec state yet.
    package static func open(_ url: PostgresStateURL, create: Bool, maximumConnections: Int = 4,
                             connectTimeout: Duration = .seconds(10)) async throws -> PostgresBackend? {
        let logger = Logger(label: "orbrec.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let opened: PostgresMigrations.Opened?
        do {
            // On a connection of its own, not the pool's: the pool retries a connection that
            // fails (refused, a wrong password or certificate) until the deadline, which then
            // hides the reason; a single connection fails at once and says why.
            opened = try await withDeadline(connectTimeout, url: url) {
                let connection = try await PostgresConnection.connect(
                    configuration: try connectionConfiguration(url, connectTimeout: connectTimeout), id: 0, logger: logger)
                do {
                    let opened = try await PostgresMigrations.open(connection, schema: url.schema, create: create, logger: logger)
                    try? await connection.close()
                    return opened
                } catch {
                    try? await connection.close()
                    throw error
                }
            }
        } catch {
            throw PostgresFailure.map(error, url: url)
        }
        guard let opened else { return nil }
        let client = PostgresClient(configuration: try configuration(url, maximumConnections: maximumConnections), backgroundLogger: logger)
        let runner = Task { await client.run() }
        return PostgresBackend(client: client, runner: runner, logger: logger, stateID: opened.stateID, path: url.redacted,
                               schema: url.schema, journalKey: opened.journalKey, eventsKey: opened.eventsKey)
    }

    package func setOutputLocation(_ location: String?) { outputLocation.withLock { $0 = location } }

    package func fenceLock(_ id: String?) { lockFence.withLock { $0 = id } }

    package func close() async {
        runner.cancel()
    }

    deinit { runner.cancel() }

    static func configuration(_ url: PostgresStateURL, maximumConnections: Int) throws -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                         database: url.database, tls: try tls(url))
        configuration.options.additionalStartupParameters = [("search_path", url.schema),
                                                             ("application_name", url.applicationName ?? "orbrec")]
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// The pool's settings for one connection (`open`'s), made the way the pool makes them.
    static func connectionConfiguration(_ url: PostgresStateURL, connectTimeout: Duration) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch tlsSettings(url) {
        case nil: tls = .disable
        case let (context, required)?:
            let made: NIOSSLContext
            do {
                made = try NIOSSLContext(configuration: context)
            } catch {
                throw StateUnavailable("cannot set up TLS for PostgreSQL at \(url.host):\(url.port)"
                                       + (url.sslRootCert.map { " with sslrootcert=\($0)" } ?? "") + ": \(error)")
            }
            tls = required ? .require(made) : .prefer(made)
        }
        let pool = try configuration(url, maximumConnections: 1)
        var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                             database: url.database, tls: tls)
        configuration.options.additionalStartupParameters = pool.options.additionalStartupParameters
        configuration.options.connectTimeout = TimeAmount(connectTimeout)
        return configuration
    }

    static func tls(_ url: PostgresStateURL) throws -> PostgresClient.Configuration.TLS {
        guard let (context, required) = tlsSettings(url) else { return .disable }
        return required ? .require(context) : .prefer(context)
    }

    /// libpq's sslmode, on NIOSSL: `prefer` and `require` encrypt without checking who
    /// answers (unless `require` is given a root certificate, as libpq treats it), `verify-ca`
    /// checks the chain, `verify-full` the chain and the host name. Nil when TLS is off;
    /// `required` false when a server without TLS is accepted.
    static func tlsSettings(_ url: PostgresStateURL) -> (context: TLSConfiguration, required: Bool)? {
        var context = TLSConfiguration.makeClientConfiguration()
        if let root = url.sslRootCert { context.trustRoots = .file(root) }
        switch url.sslMode {
        case .disable:
            return nil
        case .allow, .prefer:
            context.certificateVerification = .none
            return (context, false)
        case .require:
            context.certificateVerification = url.sslRootCert == nil ? .none : .noHostnameVerification
            return (context, true)
        case .verifyCA:
            context.certificateVerification = .noHostnameVerification
            return (context, true)
        case .verifyFull:
            context.certificateVerification = .fullVerification
            return (context, true)
        }
    }

    /// Runs `body`, giving up after `timeout`: a server that does not answer must end in an
    /// error, not a command that waits for ever.
    static func withDeadline<T: Sendable>(_ timeout: Duration, url: PostgresStateURL,
                                          _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw StateUnavailable("PostgreSQL at \(url.host):\(url.port) did not answer within \(timeout)")
            }
            return value
        }
    }

    // MARK: Transactions

    /// A write: one transaction holding the journal's lock. Journal writes also bump the
    /// journal version, which tells other processes that the state changed under them.
    func write<T: Sendable>(journal: Bool = true, _ body: (StateTransaction) async throws -> T) async throws -> T {
        let outcome: Result<T, any Error>
        do {
            outcome = try await onConnection { connection -> Result<T, any Error> in
                let transaction = StateTransaction(connection: connection, logger: logger)
                try await transaction.execute("BEGIN")
                let value: T
                do {
                    if journal {
                        try await beginJournalWrite(transaction)
                    } else {
                        try await transaction.rows(LockJournal.self, [.integer(journalKey)])
                    }
                    value = try await body(transaction)
                    try await transaction.flushEvents(lockKey: eventsKey)
                    if !transaction.endedAttempts.isEmpty {
                        let payloads = transaction.endedAttempts.map {
                            [origin, $0.pool, $0.key, String($0.attempt)].joined(separator: "\t")
                        }
                        // unnest keeps the array's order, and so the notifications keep the ends'.
                        try await transaction.execute("""
                            SELECT pg_notify('orbrec_ends_' || current_schema(), payload) FROM unnest(\(payloads)::text[]) AS payload
                            """)
                    }
                } catch {
                    try? await transaction.execute("ROLLBACK")
                    return .failure(error)
                }
                do {
                    try await transaction.execute("COMMIT")
                } catch {
                    // Whether it landed is unknown: count it as someone else's change, the safe side.
                    uncertainCommits.add(1, ordering: .relaxed)
                    throw error
                }
                return .success(value)
            }
        } catch {
            throw PostgresFailure.map(error)
        }
        if journal, case .success = outcome { ownVersions.add(1, ordering: .relaxed) }
        do {
            return try outcome.get()
        } catch {
            throw PostgresFailure.map(error)
        }
    }

    enum LockJournal: PreparedSQL {
        static let types: [PostgresDataType] = [.int8]
        static let sql = "SELECT pg_advisory_xact_lock($1)"
    }

    /// A read of one statement, or of several that need no common snapshot.
    func read<T: Sendable>(_ body: (StateTransaction) async throws -> T) async throws -> T {
        do {
            return try await onConnection { connection in
                try await body(StateTransaction(connection: connection, logger: logger))
            }
        } catch {
            throw PostgresFailure.map(error)
        }
    }

    /// A read of several statements that must agree with each other: one snapshot.
    func snapshot<T: Sendable>(_ body: (StateTransaction) async throws -> T) async throws -> T {
        do {
            return try await onConnection { connection in
                let transaction = StateTransaction(connection: connection, logger: logger)
                try await transaction.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                do {
                    let value = try await body(transaction)
                    try await transaction.execute("COMMIT")
                    return value
                } catch {
                    try? await transaction.execute("ROLLBACK")
                    throw error
                }
            }
        } catch {
            throw PostgresFailure.map(error)
        }
    }

    /// A pooled connection, with `body` running on its event loop (`EventLoopExecutor`).
    private func onConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await withTaskExecutorPreference(EventLoopExecutor(connection.eventLoop)) { try await body(connection) }
        }
    }

    static func encodeJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).flatMap { String(data: $0, encoding: .utf8) } ?? "null"
    }
}
