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
    @discardableResult
    func flushEvents(lockKey: Int64) async throws -> [Int64] {
        guard !pendingEvents.isEmpty else { return [] }
        try await execute("SELECT pg_advisory_xact_lock(\(lockKey))")
        var seqs: [Int64] = []
        seqs.reserveCapacity(pendingEvents.count)
        // 6 binds an event; PostgreSQL takes at most 65,535 binds a statement.
        for chunkStart in stride(from: 0, to: pendingEvents.count, by: 5000) {
            let chunk = pendingEvents[chunkStart..<min(chunkStart + 5000, pendingEvents.count)]
            var sql = "INSERT INTO events (at, resource, subject, from_state, to_state, cause) VALUES "
            var values: [RowEncoder.Value] = []
            values.reserveCapacity(chunk.count * 6)
            for (index, event) in chunk.enumerated() {
                let base = index * 6
                sql += (index == 0 ? "" : ", ") + "($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4), $\(base + 5), $\(base + 6))"
                values += [.integer(event.at.millisecondsSinceEpoch), .text(event.resource), .text(event.subject),
                           event.fromState.map { .text($0) } ?? .null, .text(event.toState), .text(event.cause)]
            }
            sql += " RETURNING seq"
            seqs += try await rows(sql: sql, values).map { try $0.decode(Int64.self) }
        }
        pendingEvents = []
        if let last = seqs.max() {
            try await execute("SELECT pg_notify('orbrec_events_' || current_schema(), \(String(last)))")
        }
        return seqs
    }
}
