package import OrbrecCore
package import OrbrecStore
package import Foundation
internal import PostgresNIO

/// Lease writes take no journal version (`write(journal: false)`): as on SQLite, where the
/// daemon's own claims never counted as someone else's change. Row locks (`FOR UPDATE`)
/// are taken on the rows a body reads and then writes, as the lease path will need once it
/// no longer holds the journal's lock; under that lock they cost nothing.
extension PostgresBackend {
    /// Offers attempts of a pull pool to workers (the lease scheduler's submit). Offering an
    /// attempt twice (a recovered action re-issued) changes nothing.
    package func offerLeases(pool: String, attempts: [(key: String, attempt: Int)], at now: Instant) async throws {
        try await write(journal: false) { tx in
            // Safe under the journal's lock: no other writer draws a seq meanwhile.
            var seq = try await tx.value(Int64.self, "SELECT COALESCE(MAX(offered_seq), 0) FROM leases") ?? 0
            for item in attempts {
                seq += 1
                try await tx.execute("""
                    INSERT INTO leases (pool, key, attempt, offered_seq, state)
                    VALUES (\(pool), \(item.key), \(item.attempt), \(seq), \(LeaseRecord.State.offered.rawValue))
                    ON CONFLICT DO NOTHING
                    """)
            }
        }
    }

    /// Leases the oldest offered attempt of `pool` to `worker`, after ending every lease
    /// that has expired. Nil when nothing is offered.
    package func claimLease(pool: String, worker: String, machine: String?, lease: ConfigDuration, token: String,
                            idempotencyKey: String? = nil, at now: Instant) async throws -> LeaseRecord? {
        try await write(journal: false) { tx in
            if let machine {
                // FOR SHARE: a return of the machine, which revokes its leases, waits for this claim.
                let state = try await tx.value(String.self, "SELECT state FROM machines WHERE id = \(machine) FOR SHARE")
                guard let state, ["pending", "running", "unhealthy"].contains(state) else { throw MachineGone(machine: machine, state: state) }
            }
            try await Self.expireLeases(tx, at: now)
            guard let row = try await tx.rows("""
                SELECT * FROM leases WHERE pool = \(pool) AND state = 'offered' ORDER BY offered_seq LIMIT 1 FOR UPDATE SKIP LOCKED
                """).first else { return nil }
            let offered = try Self.lease(from: row)
            let expires = now.adding(lease).millisecondsSinceEpoch
            try await tx.execute("""
                UPDATE leases SET state = \(LeaseRecord.State.leased.rawValue), token = \(token), worker = \(worker), machine = \(machine),
                  claimed_at = \(now.millisecondsSinceEpoch), expires_at = \(expires), lease_ms = \(lease.milliseconds)
                WHERE pool = \(offered.pool) AND key = \(offered.key) AND attempt = \(offered.attempt)
                """)
            if let idempotencyKey {
                try await tx.execute("""
                    UPDATE idempotency_keys SET lease_pool = \(offered.pool), lease_key = \(offered.key), lease_attempt = \(offered.attempt)
                    WHERE key = \(idempotencyKey)
                    """)
            }
            // The attempt's job is the worker that holds it (what `get tasks` shows).
            try await tx.execute("""
                UPDATE attempts SET job_id = \("lease:\(worker)"), host = \(machine ?? worker), started_at = \(now.millisecondsSinceEpoch)
                WHERE pool = \(offered.pool) AND key = \(offered.key) AND attempt = \(offered.attempt)
                """)
            Self.appendLeaseEvent(tx, pool: offered.pool, key: offered.key, attempt: offered.attempt, from: "offered", to: "leased",
                                  cause: "claimed by \(worker)\(machine.map { " on \($0)" } ?? "") for \(lease)", at: now)
            // The row as just written, without reading it back.
            var claimed = offered
            claimed.state = .leased
            claimed.token = token
            claimed.worker = worker
            claimed.machine = machine
            claimed.claimedAt = now
            claimed.expiresAt = Instant(millisecondsSinceEpoch: expires)
            claimed.leaseMilliseconds = lease.milliseconds
            return claimed
        }
    }

    /// Extends the lease `token` holds (by its own length, or `lease`).
    package func heartbeatLease(token: String, lease: ConfigDuration?, at now: Instant) async throws -> LeaseRecord {
        try await write(journal: false) { tx in
            let current = try await Self.held(tx, token: token, at: now)
            let length = lease?.milliseconds ?? current.leaseMilliseconds ?? 30_000
            try await tx.execute("""
                UPDATE leases SET expires_at = \(now.millisecondsSinceEpoch + length), lease_ms = \(length) WHERE token = \(token)
                """)
            return try await Self.lease(tx, pool: current.pool, key: current.key, attempt: current.attempt) ?? current
        }
    }

    /// Ends the attempt `token` holds, as the worker reports it.
    package func endLease(token: String, outcome: AttemptOutcome, reason: String?, result: String?, at now: Instant) async throws -> LeaseRecord {
        try await write(journal: false) { tx in
            let current = try await Self.held(tx, token: token, at: now)
            try await Self.end(tx, current, outcome: outcome, reason: reason, result: result,
                               cause: "ended by \(current.worker ?? "its worker")", at: now)
            tx.endedAttempts.append((current.pool, current.key, current.attempt))
            var ended = current
            ended.state = .ended
            ended.outcome = outcome
            ended.reason = reason
            ended.result = result
            ended.endedAt = now
            return ended
        }
    }

    /// Ends the leases that expired (their workers stopped answering): timeouts, counted.
    /// Returns them as ended, for the engine to settle; a read first, so that nothing is
    /// written when none expired.
    package func endExpiredLeases(at now: Instant) async throws -> [LeaseRecord] {
        let any = try await read { tx in
            try await tx.value(Bool.self, """
                SELECT EXISTS (SELECT 1 FROM leases WHERE state = 'leased' AND expires_at < \(now.millisecondsSinceEpoch))
                """) ?? false
        }
        guard any else { return [] }
        return try await write(journal: false) { tx in
            var ended: [LeaseRecord] = []
            for current in try await Self.expiredLeases(tx, at: now) {
                let outcome = Self.expiredOutcome(current, at: now)
                try await Self.end(tx, current, outcome: outcome, reason: "the lease expired", result: nil, cause: "lease expired", at: now)
                var over = current
                over.state = .ended
                over.outcome = outcome
                over.reason = "the lease expired"
                over.endedAt = now
                ended.append(over)
            }
            return ended
        }
    }

    /// Revokes at once the leases held by workers on these machines (returned or lost): the
    /// attempts end as lost (infra: no attempt consumed) and their tokens are stale.
    @discardableResult
    package func revokeLeases(onMachines machines: [String], reason: String, at now: Instant) async throws -> Int {
        guard !machines.isEmpty else { return 0 }
        return try await write(journal: false) { tx in try await Self.revoke(tx, machines: machines, reason: reason, at: now) }
    }

    /// Ends offered or leased attempts that orbrec cancels. Returns the keys whose attempt had
    /// already ended by itself (completed, failed, expired): those are not cancelled.
    @discardableResult
    package func cancelLeases(pool: String, attempts: [(key: String, attempt: Int)], at now: Instant) async throws -> Set<String> {
        try await write(journal: false) { tx in
            var ended: Set<String> = []
            for item in attempts {
                guard let current = try await Self.lease(tx, pool: pool, key: item.key, attempt: item.attempt, forUpdate: true) else { continue }
                guard current.state != .ended else {
                    ended.insert(item.key)
                    continue
                }
                try await Self.end(tx, current, outcome: AttemptOutcome(cancelled: true, endedAt: now, host: current.worker ?? ""),
                                   reason: "cancelled by orbrec", result: nil, cause: "cancelled", at: now)
            }
            return ended
        }
    }

    /// The newest attempt's lease of every task, as of `now`: what the lease scheduler reports.
    /// Read-only: a lease past its end is reported as ended (a timeout) without being written,
    /// so observing (`plan`, `status`, MCP's `plan_preview`) changes nothing; the end is
    /// recorded by the next claim or by the worker's next call.
    package func leases(pool: String? = nil, at now: Instant) async throws -> [LeaseRecord] {
        var sql = """
            SELECT l.* FROM leases l
            JOIN (SELECT pool, key, MAX(attempt) AS newest FROM leases GROUP BY pool, key) m
              ON l.pool = m.pool AND l.key = m.key AND l.attempt = m.newest
            """
        var values: [RowEncoder.Value] = []
        if let pool {
            values.append(.text(pool))
            sql += " WHERE l.pool = $1"
        }
        sql += " ORDER BY l.offered_seq"
        let rows = try await read { [sql, values] tx in try await tx.rows(sql: sql, values).map(Self.lease(from:)) }
        return rows.map { row in
            var lease = row
            if lease.state == .leased, let expires = lease.expiresAt, expires < now {
                lease.state = .ended
                lease.outcome = Self.expiredOutcome(lease, at: now)
                lease.reason = "the lease expired"
            }
            return lease
        }
    }

    /// The newest attempt's lease of one task, if any.
    package func currentLease(pool: String, key: String) async throws -> LeaseRecord? {
        try await read { tx in
            try await tx.rows("SELECT * FROM leases WHERE pool = \(pool) AND key = \(key) ORDER BY attempt DESC LIMIT 1")
                .first.map(Self.lease(from:))
        }
    }

    /// The lease a token holds or held, if any.
    package func lease(token: String) async throws -> LeaseRecord? {
        try await read { tx in try await tx.rows("SELECT * FROM leases WHERE token = \(token)").first.map(Self.lease(from:)) }
    }
}

extension PostgresBackend {
    /// The first answer given to a POST with this Idempotency-Key.
    package func idempotentAnswer(key: String) async throws -> (fingerprint: String, status: Int, body: Data)? {
        try await read { tx in
            guard let row = try await tx.rows("""
                SELECT fingerprint, status, body FROM idempotency_keys WHERE key = \(key) AND state = 'done'
                """).first else { return nil }
            let (fingerprint, status, body) = try row.decode((String, Int, Data).self)
            return (fingerprint, status, body)
        }
    }

    /// Reserves an Idempotency-Key for a request about to be carried out, or says what became
    /// of the request that reserved it first.
    package func reserveIdempotencyKey(_ key: String, fingerprint: String, at now: Instant) async throws -> IdempotencyReservation {
        try await write(journal: false) { tx in
            // Insert first: a read then an insert would fail on the key when two requests race.
            while true {
                let inserted = try await tx.count("""
                    INSERT INTO idempotency_keys (key, fingerprint, state, status, body, created_at)
                    VALUES (\(key), \(fingerprint), 'pending', 0, \(Data()), \(now.millisecondsSinceEpoch))
                    ON CONFLICT DO NOTHING RETURNING key
                    """)
                if inserted > 0 { return .reserved }
                // Gone again meanwhile (dropped or pruned): try the insert again.
                guard let row = try await tx.rows("SELECT * FROM idempotency_keys WHERE key = \(key) FOR UPDATE").first else { continue }
                let cells = row.makeRandomAccess()
                let stored = try cells["fingerprint"].decode(String.self)
                if try cells["state"].decode(String.self) == "done" {
                    return .answered(fingerprint: stored, status: try cells["status"].decode(Int.self), body: try cells["body"].decode(Data.self))
                }
                var lease: LeaseRecord?
                if let pool = try cells["lease_pool"].decode(String?.self), let leaseKey = try cells["lease_key"].decode(String?.self),
                   let attempt = try cells["lease_attempt"].decode(Int?.self) {
                    lease = try await Self.lease(tx, pool: pool, key: leaseKey, attempt: attempt)
                }
                return .pending(fingerprint: stored, since: Instant(millisecondsSinceEpoch: try cells["created_at"].decode(Int64.self)),
                                lease: lease)
            }
        }
    }

    /// Keeps the answer to a reserved key: replays get it from now on.
    package func recordIdempotentAnswer(key: String, status: Int, body: Data) async throws {
        try await write(journal: false) { tx in
            try await tx.execute("UPDATE idempotency_keys SET state = 'done', status = \(status), body = \(body) WHERE key = \(key)")
        }
    }

    /// Gives a reserved key up (its request failed on the server's side): a retry tries again.
    package func dropIdempotencyKey(_ key: String) async throws {
        try await write(journal: false) { tx in
            try await tx.execute("DELETE FROM idempotency_keys WHERE key = \(key) AND state = 'pending'")
        }
    }

    /// Takes over a reservation whose request died before claiming anything.
    package func retakeIdempotencyKey(_ key: String, at now: Instant) async throws {
        try await write(journal: false) { tx in
            try await tx.execute("""
                UPDATE idempotency_keys SET created_at = \(now.millisecondsSinceEpoch) WHERE key = \(key) AND state = 'pending'
                """)
        }
    }

    /// Gives every held lease a fresh full length from now: a daemon that was down could not
    /// take heartbeats, and its workers must not lose their attempts (as timeouts) for it. A
    /// worker that died meanwhile is noticed one lease length later. Returns how many.
    @discardableResult
    package func renewLeasesAfterRestart(at now: Instant) async throws -> Int {
        try await write(journal: false) { tx in
            try await tx.count("""
                UPDATE leases SET expires_at = GREATEST(COALESCE(expires_at, 0), \(now.millisecondsSinceEpoch) + COALESCE(lease_ms, 30000))
                WHERE state = \(LeaseRecord.State.leased.rawValue) RETURNING 1
                """)
        }
    }

    /// Forgets idempotent answers older than `age` (a day by default): a retry comes within
    /// minutes, and the answers hold fencing tokens that need not outlive their use.
    package func pruneIdempotentAnswers(olderThan age: ConfigDuration = .seconds(86_400), at now: Instant) async throws {
        try await write(journal: false) { tx in
            try await tx.execute("DELETE FROM idempotency_keys WHERE created_at < \(now.millisecondsSinceEpoch - age.milliseconds)")
        }
    }
}

// MARK: SQL

extension PostgresBackend {
    /// The leased attempt `token` holds, or `StaleLease` (ending it first if it expired).
    static func held(_ tx: StateTransaction, token: String, at now: Instant) async throws -> LeaseRecord {
        guard let row = try await tx.rows("SELECT * FROM leases WHERE token = \(token) FOR UPDATE").first else {
            throw StaleLease(message: "no lease holds this token", lease: nil)
        }
        let current = try lease(from: row)
        switch current.state {
        case .leased:
            if let expires = current.expiresAt, expires < now {
                try await end(tx, current, outcome: expiredOutcome(current, at: now), reason: "the lease expired", result: nil,
                              cause: "lease expired", at: now)
                throw StaleLease(message: "the lease expired at \(expires.millisecondsSinceEpoch) ms; attempt \(current.attempt) is over",
                                 lease: try await lease(tx, pool: current.pool, key: current.key, attempt: current.attempt))
            }
            return current
        case .ended:
            throw StaleLease(message: "attempt \(current.attempt) is over (\(current.reason ?? "ended"))", lease: current)
        case .offered:
            throw StaleLease(message: "attempt \(current.attempt) is not leased", lease: current)
        }
    }

    static func expireLeases(_ tx: StateTransaction, at now: Instant) async throws {
        for current in try await expiredLeases(tx, at: now) {
            try await end(tx, current, outcome: expiredOutcome(current, at: now), reason: "the lease expired", result: nil,
                          cause: "lease expired", at: now)
        }
    }

    /// The held leases past their end, locked, in the order they were offered (a fixed order,
    /// for the events and for the row locks).
    static func expiredLeases(_ tx: StateTransaction, at now: Instant) async throws -> [LeaseRecord] {
        try await tx.rows("""
            SELECT * FROM leases WHERE state = \(LeaseRecord.State.leased.rawValue) AND expires_at < \(now.millisecondsSinceEpoch)
            ORDER BY offered_seq FOR UPDATE
            """).map(lease(from:))
    }

    /// An expired lease is a timeout: the worker stopped answering, so the attempt counts.
    static func expiredOutcome(_ lease: LeaseRecord, at now: Instant) -> AttemptOutcome {
        AttemptOutcome(timedOut: true, startedAt: lease.claimedAt, endedAt: now, host: lease.worker ?? "")
    }

    @discardableResult
    static func revoke(_ tx: StateTransaction, machines: [String], reason: String, at now: Instant) async throws -> Int {
        let held = try await tx.rows("""
            SELECT * FROM leases WHERE state = \(LeaseRecord.State.leased.rawValue) AND machine = ANY(\(machines))
            ORDER BY offered_seq FOR UPDATE
            """).map(lease(from:))
        for current in held {
            // Lost, not failed: the infrastructure went away under the worker. No attempt is used,
            // and the next one may start at once.
            try await end(tx, current, outcome: AttemptOutcome(lost: true, startedAt: current.claimedAt, endedAt: now, host: current.worker ?? "",
                                                               retryAfter: ConfigDuration(milliseconds: 0)),
                          reason: reason, result: nil, cause: "revoked: \(reason)", at: now)
        }
        return held.count
    }

    static func end(_ tx: StateTransaction, _ current: LeaseRecord, outcome: AttemptOutcome, reason: String?, result: String?, cause: String,
                    at now: Instant) async throws {
        try await tx.execute("""
            UPDATE leases SET state = \(LeaseRecord.State.ended.rawValue), outcome = \(encodeJSON(outcome)), reason = \(reason),
              result = \(result), ended_at = \(now.millisecondsSinceEpoch)
            WHERE pool = \(current.pool) AND key = \(current.key) AND attempt = \(current.attempt)
            """)
        appendLeaseEvent(tx, pool: current.pool, key: current.key, attempt: current.attempt, from: current.state.rawValue, to: "ended",
                         cause: "\(cause): \(outcome.summary)\(reason.map { " (\($0))" } ?? "")", at: now)
    }

    static func appendLeaseEvent(_ tx: StateTransaction, pool: String, key: String, attempt: Int, from: String, to: String, cause: String,
                                 at now: Instant) {
        tx.appendEvent(at: now, resource: ResourceID(.taskPool, pool).description, subject: "lease/\(pool)/\(key)#\(attempt)",
                       from: from, to: to, cause: cause)
    }

    static func lease(_ tx: StateTransaction, pool: String, key: String, attempt: Int, forUpdate: Bool = false) async throws -> LeaseRecord? {
        try await tx.rows("""
            SELECT * FROM leases WHERE pool = \(pool) AND key = \(key) AND attempt = \(attempt)\(unescaped: forUpdate ? " FOR UPDATE" : "")
            """).first.map(lease(from:))
    }

    static func lease(from row: PostgresRow) throws -> LeaseRecord {
        let cells = row.makeRandomAccess()
        func instant(_ column: String) throws -> Instant? {
            try cells[column].decode(Int64?.self).map(Instant.init(millisecondsSinceEpoch:))
        }
        let outcomeText = try cells["outcome"].decode(String?.self)
        return LeaseRecord(pool: try cells["pool"].decode(String.self), key: try cells["key"].decode(String.self),
                           attempt: try cells["attempt"].decode(Int.self),
                           state: LeaseRecord.State(rawValue: try cells["state"].decode(String.self)) ?? .ended,
                           token: try cells["token"].decode(String?.self), worker: try cells["worker"].decode(String?.self),
                           machine: try cells["machine"].decode(String?.self), claimedAt: try instant("claimed_at"),
                           expiresAt: try instant("expires_at"), leaseMilliseconds: try cells["lease_ms"].decode(Int64?.self),
                           outcome: outcomeText.flatMap { try? JSONDecoder().decode(AttemptOutcome.self, from: Data($0.utf8)) },
                           reason: try cells["reason"].decode(String?.self), result: try cells["result"].decode(String?.self),
                           endedAt: try instant("ended_at"))
    }
}
