public import OrbrecCore
public import Foundation
internal import GRDB

extension StateStore {
    /// Offers attempts of a pull pool to workers (the lease scheduler's submit). Offering an
    /// attempt twice (a recovered action re-issued) changes nothing.
    public func offerLeases(pool: String, attempts: [(key: String, attempt: Int)], at now: Instant) throws {
        try write { db in
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
    public func claimLease(pool: String, worker: String, machine: String?, lease: ConfigDuration, token: String,
                           at now: Instant) throws -> LeaseRecord? {
        try write { db in
            try Self.expireLeases(db, at: now)
            guard let row = try Row.fetchOne(db, sql: """
                SELECT * FROM leases WHERE pool = ? AND state = ? ORDER BY offered_seq LIMIT 1
                """, arguments: [pool, LeaseRecord.State.offered.rawValue]) else { return nil }
            let expires = now.adding(lease).millisecondsSinceEpoch
            try db.execute(sql: """
                UPDATE leases SET state = ?, token = ?, worker = ?, machine = ?, claimed_at = ?, expires_at = ?, lease_ms = ?
                WHERE pool = ? AND key = ? AND attempt = ?
                """, arguments: [LeaseRecord.State.leased.rawValue, token, worker, machine, now.millisecondsSinceEpoch, expires,
                                 lease.milliseconds, row["pool"] as String, row["key"] as String, row["attempt"] as Int])
            // The attempt's job is the worker that holds it (what `get tasks` shows).
            try db.execute(sql: "UPDATE attempts SET job_id = ?, host = ?, started_at = ? WHERE pool = ? AND key = ? AND attempt = ?",
                           arguments: ["lease:\(worker)", machine ?? worker, now.millisecondsSinceEpoch,
                                       row["pool"] as String, row["key"] as String, row["attempt"] as Int])
            try Self.appendLeaseEvent(db, pool: row["pool"], key: row["key"], attempt: row["attempt"], from: "offered", to: "leased",
                                      cause: "claimed by \(worker)\(machine.map { " on \($0)" } ?? "") for \(lease)", at: now)
            return try Self.lease(db, pool: row["pool"], key: row["key"], attempt: row["attempt"])
        }
    }

    /// Extends the lease `token` holds (by its own length, or `lease`).
    public func heartbeatLease(token: String, lease: ConfigDuration?, at now: Instant) throws -> LeaseRecord {
        try write { db in
            let current = try Self.held(db, token: token, at: now)
            let length = lease?.milliseconds ?? current.leaseMilliseconds ?? 30_000
            try db.execute(sql: "UPDATE leases SET expires_at = ?, lease_ms = ? WHERE token = ?",
                           arguments: [now.millisecondsSinceEpoch + length, length, token])
            return try Self.lease(db, pool: current.pool, key: current.key, attempt: current.attempt) ?? current
        }
    }

    /// Ends the attempt `token` holds, as the worker reports it.
    public func endLease(token: String, outcome: AttemptOutcome, reason: String?, result: String?, at now: Instant) throws -> LeaseRecord {
        try write { db in
            let current = try Self.held(db, token: token, at: now)
            try Self.end(db, current, outcome: outcome, reason: reason, result: result, cause: "ended by \(current.worker ?? "its worker")",
                         at: now)
            return try Self.lease(db, pool: current.pool, key: current.key, attempt: current.attempt) ?? current
        }
    }

    /// Revokes at once the leases held by workers on these machines (returned or lost): the
    /// attempts end as lost (infra: no attempt consumed) and their tokens are stale.
    @discardableResult
    public func revokeLeases(onMachines machines: [String], reason: String, at now: Instant) throws -> Int {
        guard !machines.isEmpty else { return 0 }
        return try write { db in try Self.revoke(db, machines: machines, reason: reason, at: now) }
    }

    /// Ends offered or leased attempts that orbrec cancels.
    public func cancelLeases(pool: String, attempts: [(key: String, attempt: Int)], at now: Instant) throws {
        try write { db in
            for item in attempts {
                guard let current = try Self.lease(db, pool: pool, key: item.key, attempt: item.attempt), current.state != .ended else { continue }
                try Self.end(db, current, outcome: AttemptOutcome(cancelled: true, endedAt: now, host: current.worker ?? ""),
                             reason: "cancelled by orbrec", result: nil, cause: "cancelled", at: now)
            }
        }
    }

    /// Every lease, after ending those that expired: what the lease scheduler reports.
    public func leases(pool: String? = nil, at now: Instant) throws -> [LeaseRecord] {
        try write { db in
            try Self.expireLeases(db, at: now)
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM leases" + (pool == nil ? "" : " WHERE pool = ?") + " ORDER BY offered_seq",
                                        arguments: pool.map { [$0] } ?? [])
            return rows.map(Self.lease(from:))
        }
    }

    /// The newest attempt's lease of one task, if any.
    public func currentLease(pool: String, key: String) throws -> LeaseRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM leases WHERE pool = ? AND key = ? ORDER BY attempt DESC LIMIT 1",
                             arguments: [pool, key]).map(Self.lease(from:))
        }
    }

    /// Leases still held (offered or leased) by pool, for the claim limit and status.
    public func openLeaseCounts() throws -> [String: (offered: Int, leased: Int)] {
        try read { db in
            var counts: [String: (offered: Int, leased: Int)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT pool, state, COUNT(*) AS n FROM leases WHERE state != 'ended' GROUP BY pool, state") {
                let pool: String = row["pool"], state: String = row["state"], n: Int = row["n"]
                var entry = counts[pool] ?? (0, 0)
                if state == LeaseRecord.State.offered.rawValue { entry.offered = n } else { entry.leased = n }
                counts[pool] = entry
            }
            return counts
        }
    }

    // MARK: SQL

    /// The leased attempt `token` holds, or `StaleLease` (ending it first if it expired).
    static func held(_ db: Database, token: String, at now: Instant) throws -> LeaseRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM leases WHERE token = ?", arguments: [token]) else {
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
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM leases WHERE state = ? AND expires_at < ?",
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
        try db.execute(sql: "UPDATE leases SET state = ?, outcome = ?, reason = ?, result = ?, ended_at = ? WHERE pool = ? AND key = ? AND attempt = ?",
                       arguments: [LeaseRecord.State.ended.rawValue, encodeJSON(outcome), reason, result, now.millisecondsSinceEpoch,
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
        try Row.fetchOne(db, sql: "SELECT * FROM leases WHERE pool = ? AND key = ? AND attempt = ?", arguments: [pool, key, attempt])
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

extension StateStore {
    /// The lease a token holds or held, if any.
    public func lease(token: String) throws -> LeaseRecord? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM leases WHERE token = ?", arguments: [token]).map(Self.lease(from:)) }
    }

    /// The first answer given to a POST with this Idempotency-Key.
    public func idempotentAnswer(key: String) throws -> (fingerprint: String, status: Int, body: Data)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT fingerprint, status, body FROM idempotency_keys WHERE key = ?", arguments: [key]).map {
                ($0["fingerprint"] as String, $0["status"] as Int, $0["body"] as Data)
            }
        }
    }

    /// Keeps the answer to a POST with an Idempotency-Key; when another request with the same
    /// key got there first, its answer is returned instead (and this one must not be sent).
    public func recordIdempotentAnswer(key: String, fingerprint: String, status: Int, body: Data,
                                       at now: Instant) throws -> (fingerprint: String, status: Int, body: Data) {
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO idempotency_keys (key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [key, fingerprint, status, body, now.millisecondsSinceEpoch])
            let row = try Row.fetchOne(db, sql: "SELECT fingerprint, status, body FROM idempotency_keys WHERE key = ?", arguments: [key])
            return row.map { ($0["fingerprint"] as String, $0["status"] as Int, $0["body"] as Data) } ?? (fingerprint, status, body)
        }
    }
}
