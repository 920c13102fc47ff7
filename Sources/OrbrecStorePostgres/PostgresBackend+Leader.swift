package import OrbrecCore
internal import Synchronization
package import OrbrecStore
internal import PostgresNIO

/// The leader lease of the daemons sharing this state: one row, `leader`, taken by a daemon
/// when it is free or lapsed (by the server's clock) with an epoch one greater than the last,
/// renewed while held. Statements run outside the journal's lock, so a long journal write
/// never delays a renewal.
extension PostgresBackend: LeaderElectionBackend {
    package var election: (any LeaderElectionBackend)? { self }

    package func campaign(_ candidate: LeaderCandidate, ttl: ConfigDuration) async throws -> Leadership? {
        try await read { tx in
            guard let row = try await tx.rows("""
                UPDATE leader SET holder = \(candidate.holder), host = \(candidate.host), pid = \(Int64(candidate.pid)),
                  epoch = epoch + 1, acquired_at = now_ms(), renewed_at = now_ms(), expires_at = now_ms() + \(ttl.milliseconds),
                  api = \(candidate.api)
                WHERE name = 'daemon' AND (holder IS NULL OR expires_at < now_ms())
                RETURNING epoch, expires_at
                """).first else { return nil }
            let (epoch, expiresAt) = try row.decode((Int64, Int64).self)
            return Leadership(holder: candidate.holder, epoch: epoch, expiresAt: Instant(millisecondsSinceEpoch: expiresAt))
        }
    }

    package func renew(_ leadership: Leadership, ttl: ConfigDuration) async throws -> Leadership? {
        try await read { tx in
            guard let expiresAt = try await tx.value(Int64.self, """
                UPDATE leader SET renewed_at = now_ms(), expires_at = now_ms() + \(ttl.milliseconds)
                WHERE name = 'daemon' AND holder = \(leadership.holder) AND epoch = \(leadership.epoch)
                RETURNING expires_at
                """) else { return nil }
            var renewed = leadership
            renewed.expiresAt = Instant(millisecondsSinceEpoch: expiresAt)
            return renewed
        }
    }

    package func resign(_ leadership: Leadership) async throws {
        try await read { tx in
            try await tx.execute("""
                UPDATE leader SET holder = NULL, expires_at = 0
                WHERE name = 'daemon' AND holder = \(leadership.holder) AND epoch = \(leadership.epoch)
                """)
        }
    }

    package func leader() async throws -> LeaderRecord? {
        try await read { tx in
            guard let row = try await tx.rows("""
                SELECT holder, host, pid, epoch, api, expires_at, holder IS NOT NULL AND expires_at >= now_ms() FROM leader WHERE name = 'daemon'
                """).first else { return nil }
            let (holder, host, pid, epoch, api, expiresAt, live) = try row.decode((String?, String?, Int64?, Int64, String?, Int64, Bool).self)
            return LeaderRecord(holder: holder, host: host, pid: pid.map { Int32($0) }, epoch: epoch, api: api,
                                expiresAt: Instant(millisecondsSinceEpoch: expiresAt), live: live)
        }
    }

    package func fence(_ leadership: Leadership?) {
        leaderFence.withLock { $0 = leadership }
        if leadership != nil { fenced.store(false, ordering: .relaxed) }
    }

    package var wasFenced: Bool { fenced.load(ordering: .relaxed) }

    /// The start of a journal write, in one statement: takes the journal's lock, then (when
    /// this process set a fence) checks that no other daemon has been elected since, then
    /// bumps the journal version. Refuses the write (`Fenced`) when the fence no longer holds.
    ///
    /// The lock comes first, as it would in statements of its own: it is an InitPlan of the
    /// one-time filter above the scan of `journal_version`, so nothing is read or locked before
    /// it is held, and CASE evaluates the fence's EXISTS only after it (checked on PG 15: a
    /// writer that waits for the lock holds no row of `journal_version` or `leader`). The
    /// statement's snapshot predates the lock, which is harmless: the UPDATE re-reads the
    /// version a previous holder committed, and `FOR SHARE` re-checks a leader row updated
    /// since, both by READ COMMITTED's EvalPlanQual. `FOR SHARE` conflicts with a takeover's
    /// UPDATE, so a takeover that commits first is seen here, and one that comes after waits
    /// for this write's commit: a superseded leader's write never lands after its successor's
    /// first.
    func beginJournalWrite(_ tx: StateTransaction) async throws {
        if let fence = leaderFence.withLock({ $0 }) {
            let held = try await tx.rows(BeginFencedJournalWrite.self, [.integer(journalKey), .text(fence.holder), .integer(fence.epoch)])
            guard !held.isEmpty else {
                fenced.store(true, ordering: .relaxed)
                throw Fenced(epoch: fence.epoch)
            }
        } else {
            try await tx.rows(BeginJournalWrite.self, [.integer(journalKey)])
        }
        // The state lock this process holds must still be its own: FOR SHARE orders this write
        // against a takeover's UPDATE of the row, as the leader's check does.
        if let lock = lockFence.withLock({ $0 }) {
            let held = try await tx.count("SELECT 1 FROM locks WHERE name = \(LockRecord.stateLockName) AND id = \(lock) FOR SHARE")
            guard held > 0 else { throw LockLost(lockID: lock) }
        }
    }

    enum BeginJournalWrite: PreparedSQL {
        static let types: [PostgresDataType] = [.int8]
        static let sql = "UPDATE journal_version SET version = version + 1 WHERE (SELECT pg_advisory_xact_lock($1)) IS NOT NULL"
    }

    enum BeginFencedJournalWrite: PreparedSQL {
        static let types: [PostgresDataType] = [.int8, .text, .int8]
        static let sql = """
            UPDATE journal_version SET version = version + 1
            WHERE CASE WHEN (SELECT pg_advisory_xact_lock($1)) IS NULL THEN false
              ELSE EXISTS (SELECT 1 FROM leader WHERE name = 'daemon' AND holder = $2 AND epoch = $3 FOR SHARE) END
            RETURNING 1
            """
    }
}
