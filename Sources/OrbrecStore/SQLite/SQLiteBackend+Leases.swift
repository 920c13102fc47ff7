package import OrbrecCore
package import Foundation
internal import GRDB

extension SQLiteBackend {
    /// Offers attempts of a pull pool to workers (the lease scheduler's submit). Offering an
    /// attempt twice (a recovered action re-issued) changes nothing.
    package func offerLeases(pool: String, attempts: [(key: String, attempt: Int)], at now: Instant) async throws {
        try await write { db in
            var seq = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(offered_seq), 0) FROM leases") ?? 0
            for item in attempts {
                seq += 1
                try db.execute(sql: "INSERT OR IGNORE INTO leases (pool, key, attempt, offered_seq, state) VALUES (?, ?, ?, ?, ?)",
                               arguments: [pool, item.key, item.attempt, seq, LeaseRecord.State.offered.rawValue])
            }
        }
    }

    /// Leases the oldest offered attempt of `pool` to `worker`, after ending every lease
    /// that has expired. Nil when nothing is offered.
    package func claimLease(pool: String, worker: String, machine: String?, lease: ConfigDuration, token: String,
                           idempotencyKey: String? = nil, at now: Instant) async throws -> LeaseRecord? {
        try await groupWrite { db in
            if let machine {
                let state = try String.fetchOne(db, sql: "SELECT state FROM machines WHERE id = ?", arguments: [machine])
                guard let state, ["pending", "running", "unhealthy"].contains(state) else { throw MachineGone(machine: machine, state: state) }
            }
            try Self.expireLeases(db, at: now)
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM leases WHERE pool = ? AND state = 'offered' ORDER BY offered_seq LIMIT 1
                """), arguments: [pool]) else { return nil }
            let expires = now.adding(lease).millisecondsSinceEpoch
            try db.cachedStatement(sql: """
                UPDATE leases SET state = ?, token = ?, worker = ?, machine = ?, claimed_at = ?, expires_at = ?, lease_ms = ?
                WHERE pool = ? AND key = ? AND attempt = ?
                """).execute(arguments: [LeaseRecord.State.leased.rawValue, token, worker, machine, now.millisecondsSinceEpoch, expires,
                                 lease.milliseconds, row["pool"] as String, row["key"] as String, row["attempt"] as Int])
            if let idempotencyKey {
                try db.execute(sql: "UPDATE idempotency_keys SET lease_pool = ?, lease_key = ?, lease_attempt = ? WHERE key = ?",
                               arguments: [row["pool"] as String, row["key"] as String, row["attempt"] as Int, idempotencyKey])
            }
            // The attempt's job is the worker that holds it (what `get tasks` shows).
            try db.cachedStatement(sql: "UPDATE attempts SET job_id = ?, host = ?, started_at = ? WHERE pool = ? AND key = ? AND attempt = ?")
                .execute(arguments: ["lease:\(worker)", machine ?? worker, now.millisecondsSinceEpoch,
                                       row["pool"] as String, row["key"] as String, row["attempt"] as Int])
            try Self.appendLeaseEvent(db, pool: row["pool"], key: row["key"], attempt: row["attempt"], from: "offered", to: "leased",
                                      cause: "claimed by \(worker)\(machine.map { " on \($0)" } ?? "") for \(lease)", at: now)
            // The row as just written, without reading it back.
            var claimed = Self.lease(from: row)
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
        try await groupWrite { db in
            let current = try Self.held(db, token: token, at: now)
            let length = lease?.milliseconds ?? current.leaseMilliseconds ?? 30_000
            try db.execute(sql: "UPDATE leases SET expires_at = ?, lease_ms = ? WHERE token = ?",
                           arguments: [now.millisecondsSinceEpoch + length, length, token])
            return try Self.lease(db, pool: current.pool, key: current.key, attempt: current.attempt) ?? current
        }
    }

    /// Ends the attempt `token` holds, as the worker reports it.
    package func endLease(token: String, outcome: AttemptOutcome, reason: String?, result: String?, at now: Instant) async throws -> LeaseRecord {
        try await groupWrite { db in
            let current = try Self.held(db, token: token, at: now)
            try Self.end(db, current, outcome: outcome, reason: reason, result: result, cause: "ended by \(current.worker ?? "its worker")",
                         at: now)
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
        let any = try await read { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM leases WHERE state = 'leased' AND expires_at < ?)"),
                              arguments: [now.millisecondsSinceEpoch]) ?? false
        }
        guard any else { return [] }
        return try await write { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM leases WHERE state = 'leased' AND expires_at < ?"),
                                        arguments: [now.millisecondsSinceEpoch])
            return try rows.map { row in
                let current = Self.lease(from: row)
                let outcome = Self.expiredOutcome(current, at: now)
                try Self.end(db, current, outcome: outcome, reason: "the lease expired", result: nil, cause: "lease expired", at: now)
                var ended = current
                ended.state = .ended
                ended.outcome = outcome
                ended.reason = "the lease expired"
                ended.endedAt = now
                return ended
            }
        }
    }

    /// Revokes at once the leases held by workers on these machines (returned or lost): the
    /// attempts end as lost (infra: no attempt consumed) and their tokens are stale.
    @discardableResult
    package func revokeLeases(onMachines machines: [String], reason: String, at now: Instant) async throws -> Int {
        guard !machines.isEmpty else { return 0 }
        return try await write { db in try Self.revoke(db, machines: machines, reason: reason, at: now) }
    }

    /// Ends offered or leased attempts that orbrec cancels. Returns the keys whose attempt had
    /// already ended by itself (completed, failed, expired): those are not cancelled.
    @discardableResult
    package func cancelLeases(pool: String, attempts: [(key: String, attempt: Int)], at now: Instant) async throws -> Set<String> {
        try await write { db in
            var ended: Set<String> = []
            for item in attempts {
                guard let current = try Self.lease(db, pool: pool, key: item.key, attempt: item.attempt) else { continue }
                guard current.state != .ended else {
                    ended.insert(item.key)
                    continue
                }
                try Self.end(db, current, outcome: AttemptOutcome(cancelled: true, endedAt: now, host: current.worker ?? ""),
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
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT l.* FROM leases l
                JOIN (SELECT pool, key, MAX(attempt) AS newest FROM leases GROUP BY pool, key) m
                  ON l.pool = m.pool AND l.key = m.key AND l.attempt = m.newest
                """ + (pool == nil ? "" : " WHERE l.pool = ?") + " ORDER BY l.offered_seq", arguments: pool.map { [$0] } ?? [])
            return rows.map { row in
                var lease = Self.lease(from: row)
                if lease.state == .leased, let expires = lease.expiresAt, expires < now {
                    lease.state = .ended
                    lease.outcome = Self.expiredOutcome(lease, at: now)
                    lease.reason = "the lease expired"
                }
                return lease
            }
        }
    }

    /// The newest attempt's lease of one task, if any.
    package func currentLease(pool: String, key: String) async throws -> LeaseRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM leases WHERE pool = ? AND key = ? ORDER BY attempt DESC LIMIT 1",
                             arguments: [pool, key]).map(Self.lease(from:))
        }
    }

    // MARK: SQL

    /// The leased attempt `token` holds, or `StaleLease` (ending it first if it expired).
    static func held(_ db: Database, token: String, at now: Instant) throws -> LeaseRecord {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM leases WHERE token = ?"), arguments: [token]) else {
            throw StaleLease(message: "no lease holds this token", lease: nil)
        }
        let current = lease(from: row)
        switch current.state {
        case .leased:
            if let expires = current.expiresAt, expires < now {
                try end(db, current, outcome: expiredOutcome(current, at: now), reason: "the lease expired", result: nil,
                        cause: "lease expired", at: now)
                throw StaleLease(message: "the lease expired at \(expires.millisecondsSinceEpoch) ms; attempt \(current.attempt) is over",
                                 lease: try lease(db, pool: current.pool, key: current.key, attempt: current.attempt))
            }
            return current
        case .ended:
            throw StaleLease(message: "attempt \(current.attempt) is over (\(current.reason ?? "ended"))", lease: current)
        case .offered:
            throw StaleLease(message: "attempt \(current.attempt) is not leased", lease: current)
        }
    }

    static func expireLeases(_ db: Database, at now: Instant) throws {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM leases WHERE state = ? AND expires_at < ?"),
                                    arguments: [LeaseRecord.State.leased.rawValue, now.millisecondsSinceEpoch])
        for row in rows {
            let current = lease(from: row)
            try end(db, current, outcome: expiredOutcome(current, at: now), reason: "the lease expired", result: nil,
                    cause: "lease expired", at: now)
        }
    }

    /// An expired lease is a timeout: the worker stopped answering, so the attempt counts.
    static func expiredOutcome(_ lease: LeaseRecord, at now: Instant) -> AttemptOutcome {
        AttemptOutcome(timedOut: true, startedAt: lease.claimedAt, endedAt: now, host: lease.worker ?? "")
    }

    static func revoke(_ db: Database, machines: [String], reason: String, at now: Instant) throws -> Int {
        let marks = machines.map { _ in "?" }.joined(separator: ",")
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM leases WHERE state = ? AND machine IN (\(marks))",
                                    arguments: StatementArguments([LeaseRecord.State.leased.rawValue] + machines))
        for row in rows {
            let current = lease(from: row)
            // Lost, not failed: the infrastructure went away under the worker. No attempt is used,
            // and the next one may start at once.
            try end(db, current, outcome: AttemptOutcome(lost: true, startedAt: current.claimedAt, endedAt: now, host: current.worker ?? "",
                                                         retryAfter: ConfigDuration(milliseconds: 0)),
                    reason: reason, result: nil, cause: "revoked: \(reason)", at: now)
        }
        return rows.count
    }

    static func end(_ db: Database, _ current: LeaseRecord, outcome: AttemptOutcome, reason: String?, result: String?, cause: String,
                    at now: Instant) throws {
        try db.cachedStatement(sql: "UPDATE leases SET state = ?, outcome = ?, reason = ?, result = ?, ended_at = ? WHERE pool = ? AND key = ? AND attempt = ?")
            .execute(arguments: [LeaseRecord.State.ended.rawValue, encodeJSON(outcome), reason, result, now.millisecondsSinceEpoch,
                                   current.pool, current.key, current.attempt])
        try appendLeaseEvent(db, pool: current.pool, key: current.key, attempt: current.attempt, from: current.state.rawValue, to: "ended",
                             cause: "\(cause): \(outcome.summary)\(reason.map { " (\($0))" } ?? "")", at: now)
    }

    static func appendLeaseEvent(_ db: Database, pool: String, key: String, attempt: Int, from: String, to: String, cause: String,
                                 at now: Instant) throws {
        try TaskSQL.appendEvent(db, at: now.millisecondsSinceEpoch, resource: ResourceID(.taskPool, pool).description,
                                subject: "lease/\(pool)/\(key)#\(attempt)", from: from, to: to, cause: cause)
    }

    static func lease(_ db: Database, pool: String, key: String, attempt: Int) throws -> LeaseRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM leases WHERE pool = ? AND key = ? AND attempt = ?"), arguments: [pool, key, attempt])
            .map(lease(from:))
    }

    static func lease(from row: Row) -> LeaseRecord {
        func instant(_ column: String) -> Instant? { (row[column] as Int64?).map(Instant.init(millisecondsSinceEpoch:)) }
        let outcomeText: String? = row["outcome"]
        return LeaseRecord(pool: row["pool"], key: row["key"], attempt: row["attempt"],
                           state: LeaseRecord.State(rawValue: row["state"]) ?? .ended, token: row["token"], worker: row["worker"],
                           machine: row["machine"], claimedAt: instant("claimed_at"), expiresAt: instant("expires_at"),
                           leaseMilliseconds: row["lease_ms"],
                           outcome: outcomeText.flatMap { try? JSONDecoder().decode(AttemptOutcome.self, from: Data($0.utf8)) },
                           reason: row["reason"], result: row["result"], endedAt: instant("ended_at"))
    }
}

extension SQLiteBackend {
    /// The lease a token holds or held, if any.
    package func lease(token: String) async throws -> LeaseRecord? {
        try await read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM leases WHERE token = ?"), arguments: [token]).map(Self.lease(from:)) }
    }

    /// The first answer given to a POST with this Idempotency-Key.
    package func idempotentAnswer(key: String) async throws -> (fingerprint: String, status: Int, body: Data)? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT fingerprint, status, body FROM idempotency_keys WHERE key = ? AND state = 'done'",
                             arguments: [key]).map { ($0["fingerprint"] as String, $0["status"] as Int, $0["body"] as Data) }
        }
    }

    /// Reserves an Idempotency-Key for a request about to be carried out, or says what became
    /// of the request that reserved it first.
    package func reserveIdempotencyKey(_ key: String, fingerprint: String, at now: Instant) async throws -> IdempotencyReservation {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM idempotency_keys WHERE key = ?", arguments: [key]) else {
                try db.execute(sql: "INSERT INTO idempotency_keys (key, fingerprint, state, status, body, created_at) VALUES (?, ?, 'pending', 0, ?, ?)",
                               arguments: [key, fingerprint, Data(), now.millisecondsSinceEpoch])
                return .reserved
            }
            if (row["state"] as String) == "done" {
                return .answered(fingerprint: row["fingerprint"], status: row["status"], body: row["body"])
            }
            var lease: LeaseRecord?
            if let pool = row["lease_pool"] as String?, let leaseKey = row["lease_key"] as String?, let attempt = row["lease_attempt"] as Int? {
                lease = try Self.lease(db, pool: pool, key: leaseKey, attempt: attempt)
            }
            return .pending(fingerprint: row["fingerprint"], since: Instant(millisecondsSinceEpoch: row["created_at"]), lease: lease)
        }
    }

    /// Keeps the answer to a reserved key: replays get it from now on.
    package func recordIdempotentAnswer(key: String, status: Int, body: Data) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE idempotency_keys SET state = 'done', status = ?, body = ? WHERE key = ?", arguments: [status, body, key])
        }
    }

    /// Gives a reserved key up (its request failed on the server's side): a retry tries again.
    package func dropIdempotencyKey(_ key: String) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM idempotency_keys WHERE key = ? AND state = 'pending'", arguments: [key]) }
    }

    /// Takes over a reservation whose request died before claiming anything.
    package func retakeIdempotencyKey(_ key: String, at now: Instant) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE idempotency_keys SET created_at = ? WHERE key = ? AND state = 'pending'", arguments: [now.millisecondsSinceEpoch, key])
        }
    }
}

extension SQLiteBackend {
    /// Gives every held lease a fresh full length from now: a daemon that was down could not
    /// take heartbeats, and its workers must not lose their attempts (as timeouts) for it. A
    /// worker that died meanwhile is noticed one lease length later. Returns how many.
    @discardableResult
    package func renewLeasesAfterRestart(at now: Instant) async throws -> Int {
        try await write { db in
            try db.execute(sql: "UPDATE leases SET expires_at = MAX(COALESCE(expires_at, 0), ? + COALESCE(lease_ms, 30000)) WHERE state = ?",
                           arguments: [now.millisecondsSinceEpoch, LeaseRecord.State.leased.rawValue])
            return db.changesCount
        }
    }

    /// Forgets idempotent answers older than `age` (a day by default): a retry comes within
    /// minutes, and the answers hold fencing tokens that need not outlive their use.
    package func pruneIdempotentAnswers(olderThan age: ConfigDuration = .seconds(86_400), at now: Instant) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE created_at < ?", arguments: [now.millisecondsSinceEpoch - age.milliseconds])
        }
    }
}
