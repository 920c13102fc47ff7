package import OrbrecCore
internal import GRDB

extension SQLiteBackend {
    package func recordAPITask(_ task: APITask, idempotencyKey: String?, at now: Instant) async throws -> APITaskJournaled {
        try await write { db in
            if let idempotencyKey, let earlier = try APITaskRecord.filter(Column("idempotency_key") == idempotencyKey).fetchOne(db) {
                return .idempotencyKeySeen(try Self.entry(earlier, db))
            }
            if let earlier = try APITaskRecord.filter(Column("pool") == task.pool && Column("key") == task.key).fetchOne(db) {
                return .keyExists(try Self.entry(earlier, db))
            }
            var record = APITaskRecord(task, idempotencyKey: idempotencyKey)
            try record.insert(db)
            record.seq = db.lastInsertedRowID
            try EventRecord(at: now, resource: ResourceID(.taskPool, task.pool).description, subject: "task/\(task.pool)/\(task.key)",
                            fromState: nil, toState: TaskState.pending.rawValue, cause: "posted by \(task.actor)").append(to: db)
            return .created(APITaskEntry(task: record.task, journaled: nil, idempotencyKey: idempotencyKey))
        }
    }

    package func apiTasks(pools: [String]) async throws -> [APITask] {
        guard !pools.isEmpty else { return [] }
        return try await read { db in
            try APITaskRecord.filter(pools.contains(Column("pool"))).order(Column("seq")).fetchAll(db).map(\.task)
        }
    }

    package func apiTask(pool: String, key: String) async throws -> APITaskEntry? {
        try await read { db in
            try APITaskRecord.filter(Column("pool") == pool && Column("key") == key).fetchOne(db).map { try Self.entry($0, db) }
        }
    }

    package func apiTaskPage(pool: String, state: TaskState?, after: Int64?, limit: Int) async throws -> [APITaskEntry] {
        try await read { db in
            var sql = "SELECT a.* FROM api_tasks a LEFT JOIN tasks t ON t.pool = a.pool AND t.key = a.key WHERE a.pool = ? AND a.seq > ?"
            var arguments: StatementArguments = [pool, after ?? Int64.min]
            if let state {
                sql += " AND COALESCE(t.state, 'pending') = ?"
                arguments += [state.rawValue]
            }
            sql += " ORDER BY a.seq LIMIT ?"
            arguments += [limit]
            return try APITaskRecord.fetchAll(db, sql: sql, arguments: arguments).map { try Self.entry($0, db) }
        }
    }

    package func requestAPITaskCancel(pool: String, key: String, actor: String, at now: Instant) async throws -> APITaskEntry? {
        try await write { db in
            guard var record = try APITaskRecord.filter(Column("pool") == pool && Column("key") == key).fetchOne(db) else { return nil }
            if record.cancelRequestedAt == nil {
                record.cancelRequestedAt = now
                record.cancelRequestedBy = actor
                try record.update(db)
            }
            return try Self.entry(record, db)
        }
    }

    private static func entry(_ record: APITaskRecord, _ db: Database) throws -> APITaskEntry {
        let journaled = try TaskRecord.filter(Column("pool") == record.pool && Column("key") == record.key).fetchOne(db)
        return APITaskEntry(task: record.task, journaled: journaled, idempotencyKey: record.idempotencyKey)
    }
}
