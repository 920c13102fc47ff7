package import OrbrecCore
package import OrbrecStore
internal import PostgresNIO

extension PostgresBackend {
    /// Takes the state lock if it is free, lapsed (its holder stopped renewing it: by the
    /// server's clock, which every host shares) or held by a process that no longer exists
    /// (`isStale` decides). Returns the holder when someone else has it.
    ///
    /// Safe without the journal's lock too: the insert cannot take a row another transaction
    /// holds, and a holder found is locked until this one ends, so two takers never both win.
    /// No journal version: taking the lock changes no journal, and a waiter polls this every
    /// 100 ms (SQLite's data_version moves only when a row does, never on a poll that fails).
    package func tryLock(_ lock: LockRecord, isStale: @Sendable (LockRecord) -> Bool) async throws -> LockRecord? {
        try await write(journal: false) { tx in
            while true {
                let taken = try await tx.count("""
                    INSERT INTO locks (name, id, operation, who, host, pid, process_start, created_at, expires_at, ttl_milliseconds)
                    VALUES (\(lock.name), \(lock.id), \(lock.operation), \(lock.who), \(lock.host), \(Int64(lock.pid)),
                            \(lock.processStart), \(lock.createdAt.millisecondsSinceEpoch), now_ms() + \(lock.ttlMilliseconds),
                            \(lock.ttlMilliseconds))
                    ON CONFLICT (name) DO NOTHING RETURNING id
                    """)
                if taken > 0 { return nil }
                // Released between the insert and this read: try the insert again.
                guard let row = try await tx.rows("""
                    SELECT *, COALESCE(expires_at < now_ms(), false) AS expired FROM locks WHERE name = \(lock.name) FOR UPDATE
                    """).first else { continue }
                let holder = try RowDecoder.decode(LockRecord.self, from: row)
                guard holder.id != lock.id else { return nil }
                let expired = try row.makeRandomAccess()["expired"].decode(Bool.self)
                guard expired || isStale(holder) else { return holder }
                tx.appendEvent(at: lock.createdAt, resource: "state", subject: "lock/\(holder.id)", from: "held", to: "broken",
                               cause: LockRecord.brokenCause(holder, expired: expired))
                try await tx.execute("""
                    UPDATE locks SET id = \(lock.id), operation = \(lock.operation), who = \(lock.who), host = \(lock.host),
                      pid = \(Int64(lock.pid)), process_start = \(lock.processStart), created_at = \(lock.createdAt.millisecondsSinceEpoch),
                      expires_at = now_ms() + \(lock.ttlMilliseconds), ttl_milliseconds = \(lock.ttlMilliseconds)
                    WHERE name = \(lock.name) AND id = \(holder.id)
                    """)
                return nil
            }
        }
    }

    /// Extends the lock `id` by its time to live, by the server's clock; false when it is no
    /// longer held by `id` (broken or removed), and its holder must stop acting on the state.
    package func renewLock(id: String, at now: Instant) async throws -> Bool {
        try await write(journal: false) { tx in
            try await tx.rows("""
                UPDATE locks SET expires_at = CASE WHEN ttl_milliseconds IS NULL THEN NULL ELSE now_ms() + ttl_milliseconds END
                WHERE name = \(LockRecord.stateLockName) AND id = \(id) RETURNING 1
                """).count > 0
        }
    }

    package func unlock(id: String) async throws {
        try await write(journal: false) { tx in
            try await tx.execute("DELETE FROM locks WHERE name = \(LockRecord.stateLockName) AND id = \(id)")
        }
    }

    package func currentLock() async throws -> LockRecord? {
        try await read { tx in try await tx.fetchOne(LockRecord.self, "SELECT * FROM locks WHERE name = \(LockRecord.stateLockName)") }
    }

    /// Removes the lock whatever holds it, if its id is `id`; returns whether it did.
    package func forceUnlock(id: String, at now: Instant) async throws -> Bool {
        try await write { tx in
            guard try await tx.count("DELETE FROM locks WHERE name = \(LockRecord.stateLockName) AND id = \(id) RETURNING 1") > 0
            else { return false }
            tx.appendEvent(at: now, resource: "state", subject: "lock/\(id)", from: "held", to: "force-unlocked",
                           cause: "force-unlock by operator")
            return true
        }
    }
}
