internal import Foundation
internal import OrbrecCore
internal import OrbrecStore
internal import PostgresNIO
internal import Logging

/// One transaction on one pooled connection, as the backend's methods see it: queries,
/// record reads and writes, and the events it appends, which are inserted at its end.
///
/// Events wait for the end because their order must be commit order: a reader that pages
/// by `seq > last` must never see seq 8 committed before seq 7. The tail takes a lock held
/// until commit before it draws any seq (`flushEvents`).
final class StateTransaction {
    let connection: PostgresConnection
    let logger: Logger
    private var pendingEvents: [EventRecord] = []
    /// Leased attempts ended in this transaction, announced at its end to other processes.
    var endedAttempts: [(pool: String, key: String, attempt: Int)] = []

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    // MARK: Statements

    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    func execute(_ query: PostgresQuery) async throws {
        _ = try await connection.query(query, logger: logger).collect()
    }

    /// Runs `sql` with `values` bound to `$1…$n` in order (for statements built at run time).
    @discardableResult
    func rows(sql: String, _ values: [RowEncoder.Value]) async throws -> [PostgresRow] {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { value.bind(into: &bindings) }
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: bindings))
    }

    /// Runs a prepared statement with `values` bound to `$1…$n` in order.
    @discardableResult
    func rows<Statement: PreparedSQL>(_ statement: Statement.Type, _ values: [RowEncoder.Value]) async throws -> [PostgresRow] {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { value.bind(into: &bindings) }
        do {
            var rows: [PostgresRow] = []
            for try await row in try await connection.execute(Prepared<Statement>(bindings: bindings), logger: logger) { rows.append(row) }
            return rows
        } catch let error as PSQLError {
            // postgres-nio keeps the error of a preparation that failed (a timeout, a lock, a
            // schema being changed) and answers every later use on this connection with it. Only
            // a refusal of the data (SQLSTATE classes 22 and 23) cannot come from preparing: on
            // anything else the connection is closed, and the pool opens a fresh one.
            let state = error.serverInfo?[.sqlState] ?? ""
            if !(state.hasPrefix("22") || state.hasPrefix("23")) { try? await connection.close() }
            throw error
        }
    }

    /// How many rows a statement returned: an UPDATE or DELETE with `RETURNING 1` counts
    /// what it changed (postgres-nio's async query gives no affected-row count).
    func count(_ query: PostgresQuery) async throws -> Int { try await rows(query).count }

    func fetchAll<T: Decodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> [T] {
        try await rows(query).map { try RowDecoder.decode(T.self, from: $0) }
    }

    func fetchOne<T: Decodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> T? {
        try await rows(query).first.map { try RowDecoder.decode(T.self, from: $0) }
    }

    /// The first column of the first row (nil when there is no row, or the value is NULL).
    func value<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> T? {
        guard let cell = try await rows(query).first?.makeRandomAccess().first, cell.bytes != nil else { return nil }
        return try cell.decode(T.self)
    }

    /// The first column of every row.
    func values<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> [T] {
        try await rows(query).map { try $0.decode(T.self) }
    }

    // MARK: Records

    enum OnConflict {
        /// A duplicate key is an error (SQLite's plain INSERT).
        case fail
        /// A duplicate key leaves the row as it was (`INSERT OR IGNORE`).
        case ignore
        /// A duplicate key updates every other column (GRDB's `save` / `upsert`).
        case update(key: [String])
    }

    /// Inserts a record as GRDB's `insert` would: every property a column.
    func insert<T: Encodable>(_ record: T, into table: String, onConflict: OnConflict = .fail) async throws {
        let columns = try RowEncoder.columns(of: record)
        var sql = "INSERT INTO \(table) (" + columns.map(\.name).joined(separator: ", ") + ") VALUES ("
        sql += (1...columns.count).map { "$\($0)" }.joined(separator: ", ") + ")"
        switch onConflict {
        case .fail: break
        case .ignore: sql += " ON CONFLICT DO NOTHING"
        case .update(let key):
            let others = columns.map(\.name).filter { !key.contains($0) }
            sql += " ON CONFLICT (" + key.joined(separator: ", ") + ") DO "
            sql += others.isEmpty ? "NOTHING" : "UPDATE SET " + others.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        }
        try await rows(sql: sql, columns.map(\.value))
    }

    /// Inserts records as `insert` inserts each (a duplicate key is an error), in one
    /// statement and in their order, which an identity column (`seq`) numbers them by.
    func insert<T: Encodable>(_ records: [T], into table: String) async throws {
        guard let first = records.first else { return }
        let names = try RowEncoder.columns(of: first).map(\.name)
        var batch = JSONRows()
        for record in records {
            let columns = try RowEncoder.columns(of: record)
            guard columns.map(\.name) == names else {
                // Not one shape (a record that skips a column): one statement each, as before.
                for record in records { try await insert(record, into: table) }
                return
            }
            batch.append(columns)
        }
        try await rows(sql: """
            INSERT INTO \(table) (\(names.joined(separator: ", ")))
            SELECT \(names.map { "r." + $0 }.joined(separator: ", "))
            FROM jsonb_populate_recordset(NULL::\(table), $1::jsonb) WITH ORDINALITY AS r ORDER BY r.ordinality
            """, [.text(batch.json)])
    }

    /// Updates the row of `record` (found by the `key` columns) with every other property.
    func update<T: Encodable>(_ record: T, in table: String, key: [String]) async throws {
        let columns = try RowEncoder.columns(of: record)
        let others = columns.filter { !key.contains($0.name) }
        let keys = key.map { name in columns.first { $0.name == name }! }
        var sql = "UPDATE \(table) SET " + others.enumerated().map { "\($1.name) = $\($0 + 1)" }.joined(separator: ", ")
        sql += " WHERE " + keys.enumerated().map { "\($1.name) = $\(others.count + $0 + 1)" }.joined(separator: " AND ")
        try await rows(sql: sql, others.map(\.value) + keys.map(\.value))
    }

    // MARK: Events

    /// Appends an event; it is inserted when the transaction ends, in commit order.
    func append(_ event: EventRecord) { pendingEvents.append(event) }

    func appendEvent(at: Instant, resource: String, subject: String, from: String?, to: String, cause: String) {
        pendingEvents.append(EventRecord(at: at, resource: resource, subject: subject, fromState: from, toState: to, cause: cause))
    }

    /// Inserts the appended events and returns their seqs. Called at the end of the
    /// transaction (the backend's `write` does it): the lock it takes is held until commit, so
    /// nothing that waits for another lock may follow it.
    ///
    /// One statement: the lock is an InitPlan of the one-time filter below the projection that
    /// draws the seqs (`nextval`), so every seq is drawn under it (checked with EXPLAIN
    /// VERBOSE on PG 15); the rows keep their order (WITH ORDINALITY), and the same statement
    /// announces the newest seq.
    @discardableResult
    func flushEvents(lockKey: Int64) async throws -> [Int64] {
        guard !pendingEvents.isEmpty else { return [] }
        var batch = JSONRows()
        for event in pendingEvents {
            batch.append([("at", .integer(event.at.millisecondsSinceEpoch)), ("resource", .text(event.resource)),
                         ("subject", .text(event.subject)), ("from_state", event.fromState.map { .text($0) } ?? .null),
                         ("to_state", .text(event.toState)), ("cause", .text(event.cause))])
        }
        let row = try await rows(InsertEvents.self, [.integer(lockKey), .text(batch.json)]).first
        pendingEvents = []
        return try row?.makeRandomAccess()[0].decode([Int64].self) ?? []
    }

    enum InsertEvents: PreparedSQL {
        static let types: [PostgresDataType] = [.int8, .text]
        static let sql = """
            WITH inserted AS (
              INSERT INTO events (at, resource, subject, from_state, to_state, cause)
              SELECT e.at, e.resource, e.subject, e.from_state, e.to_state, e.cause
              FROM ROWS FROM (jsonb_to_recordset($2::jsonb)
                     AS (at bigint, resource text, subject text, from_state text, to_state text, cause text))
                   WITH ORDINALITY AS e(at, resource, subject, from_state, to_state, cause, n)
              WHERE (SELECT pg_advisory_xact_lock($1)) IS NOT NULL
              ORDER BY e.n
              RETURNING seq)
            SELECT array_agg(seq ORDER BY seq), pg_notify('orbrec_events_' || current_schema(), max(seq)::text) FROM inserted
            """
    }
}
