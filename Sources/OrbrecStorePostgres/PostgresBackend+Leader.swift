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

    /// Inside a journal write, after the journal's lock: refuses the write when this process
    /// set a fence and another daemon has been elected since. `FOR SHARE` conflicts with a
    /// takeover's UPDATE, so a takeover that commits first is seen here, and one that comes
    /// after waits for this write's commit: a superseded leader's write never lands after its
    /// successor's first.
    func checkFence(_ tx: StateTransaction) async throws {
        guard let fence = leaderFence.withLock({ $0 }) else { return }
        let held = try await tx.count("""
            SELECT 1 FROM leader WHERE name = 'daemon' AND holder = \(fence.holder) AND epoch = \(fence.epoch) FOR SHARE
            """)
        guard held > 0 else {
            fenced.store(true, ordering: .relaxed)
            throw Fenced(epoch: fence.epoch)
        }
    }
}
