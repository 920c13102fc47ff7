package import OrbrecCore
package import OrbrecStore
internal import PostgresNIO

extension PostgresBackend {
    package func recordAPITask(_ task: APITask, idempotencyKey: String?, at now: Instant) async throws -> APITaskJournaled {
        try await write { tx in
            if let idempotencyKey,
               let earlier = try await tx.fetchOne(APITaskRecord.self, "SELECT * FROM api_tasks WHERE idempotency_key = \(idempotencyKey)") {
                return .idempotencyKeySeen(try await Self.entry(earlier, tx))
            }
            if let earlier = try await tx.fetchOne(APITaskRecord.self,
                                                   "SELECT * FROM api_tasks WHERE pool = \(task.pool) AND key = \(task.key)") {
                return .keyExists(try await Self.entry(earlier, tx))
            }
            var record = APITaskRecord(task, idempotencyKey: idempotencyKey)
            record.seq = try await tx.value(Int64.self, """
                INSERT INTO api_tasks (pool, key, args, actor, idempotency_key, created_at)
                VALUES (\(record.pool), \(record.key), \(record.args), \(record.actor), \(idempotencyKey), \(record.createdAt.millisecondsSinceEpoch))
                RETURNING seq
                """)
            tx.appendEvent(at: now, resource: ResourceID(.taskPool, task.pool).description, subject: "task/\(task.pool)/\(task.key)",
                           from: nil, to: TaskState.pending.rawValue, cause: "posted by \(task.actor)")
            return .created(APITaskEntry(task: record.task, journaled: nil, idempotencyKey: idempotencyKey))
        }
    }

    package func apiTasks(pools: [String]) async throws -> [APITask] {
        guard !pools.isEmpty else { return [] }
        return try await read { tx in
            try await tx.fetchAll(APITaskRecord.self, "SELECT * FROM api_tasks WHERE pool = ANY(\(pools)) ORDER BY seq").map(\.task)
        }
    }

    package func apiTask(pool: String, key: String) async throws -> APITaskEntry? {
        try await read { tx in
            guard let record = try await tx.fetchOne(APITaskRecord.self, "SELECT * FROM api_tasks WHERE pool = \(pool) AND key = \(key)")
            else { return nil }
            return try await Self.entry(record, tx)
        }
    }

    package func apiTaskPage(pool: String, state: TaskState?, after: Int64?, limit: Int) async throws -> [APITaskEntry] {
        try await read { tx in
            let records = try await tx.fetchAll(APITaskRecord.self, """
                SELECT a.* FROM api_tasks a LEFT JOIN tasks t ON t.pool = a.pool AND t.key = a.key
                WHERE a.pool = \(pool) AND a.seq > \(after ?? Int64.min)
                  AND (\(state?.rawValue)::text IS NULL OR COALESCE(t.state, 'pending') = \(state?.rawValue))
                ORDER BY a.seq LIMIT \(Int64(limit))
                """)
            var entries: [APITaskEntry] = []
            for record in records { entries.append(try await Self.entry(record, tx)) }
            return entries
        }
    }

    package func requestAPITaskCancel(pool: String, key: String, actor: String, at now: Instant) async throws -> APITaskEntry? {
        try await write { tx in
            guard var record = try await tx.fetchOne(APITaskRecord.self, """
                SELECT * FROM api_tasks WHERE pool = \(pool) AND key = \(key) FOR UPDATE
                """) else { return nil }
            if record.cancelRequestedAt == nil {
                record.cancelRequestedAt = now
                record.cancelRequestedBy = actor
                try await tx.execute("""
                    UPDATE api_tasks SET cancel_requested_at = \(now.millisecondsSinceEpoch), cancel_requested_by = \(actor)
                    WHERE pool = \(pool) AND key = \(key)
                    """)
            }
            return try await Self.entry(record, tx)
        }
    }

    private static func entry(_ record: APITaskRecord, _ tx: StateTransaction) async throws -> APITaskEntry {
        let journaled = try await tx.fetchOne(TaskRecord.self, "SELECT * FROM tasks WHERE pool = \(record.pool) AND key = \(record.key)")
        return APITaskEntry(task: record.task, journaled: journaled, idempotencyKey: record.idempotencyKey)
    }
}
