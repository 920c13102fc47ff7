package import OrbrecCore
internal import GRDB

extension SQLiteBackend {
    /// Takes the state lock if it is free, lapsed (its holder stopped renewing it) or held by a
    /// process that no longer exists (`isStale` decides). Returns the holder when someone else
    /// has it. Time is the caller's (`lock.createdAt`): a SQLite state has one host.
    package func tryLock(_ lock: LockRecord, isStale: @Sendable (LockRecord) -> Bool) async throws -> LockRecord? {
        try await lockWrite { db in
            if let holder = try LockRecord.fetchOne(db, key: LockRecord.stateLockName) {
                guard holder.id != lock.id else { return nil }
                let expired = holder.hasExpired(at: lock.createdAt)
                guard expired || isStale(holder) else { return holder }
                try EventRecord(at: lock.createdAt, resource: "state", subject: "lock/\(holder.id)", fromState: "held",
                                toState: "broken", cause: LockRecord.brokenCause(holder, expired: expired)).append(to: db)
                try holder.delete(db)
            }
            try lock.insert(db)
            return nil
        }
    }

    /// Extends the lock `id` by its time to live; false when it is no longer held by `id`
    /// (broken or removed), and its holder must stop acting on the state.
    package func renewLock(id: String, at now: Instant) async throws -> Bool {
        try await lockWrite { db in
            try db.execute(sql: "UPDATE locks SET expires_at = ? + ttl_milliseconds WHERE name = ? AND id = ? AND ttl_milliseconds IS NOT NULL",
                           arguments: [now.millisecondsSinceEpoch, LockRecord.stateLockName, id])
            if db.changesCount > 0 { return true }
            return try LockRecord.fetchOne(db, key: LockRecord.stateLockName)?.id == id
        }
    }

    package func unlock(id: String) async throws {
        _ = try await lockWrite { db in
            try LockRecord.filter(Column("name") == LockRecord.stateLockName && Column("id") == id).deleteAll(db)
        }
    }

    package func currentLock() async throws -> LockRecord? {
        try await read { db in try LockRecord.fetchOne(db, key: LockRecord.stateLockName) }
    }

    /// Removes the lock whatever holds it, if its id is `id`; returns whether it did.
    package func forceUnlock(id: String, at now: Instant) async throws -> Bool {
        try await lockWrite { db in
            guard let holder = try LockRecord.fetchOne(db, key: LockRecord.stateLockName), holder.id == id else { return false }
            try holder.delete(db)
            try EventRecord(at: now, resource: "state", subject: "lock/\(id)", fromState: "held", toState: "force-unlocked",
                            cause: "force-unlock by operator").append(to: db)
            return true
        }
    }
}
