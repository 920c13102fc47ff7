public import OrbrecCore
public import Foundation

extension StateStore {
    /// Offers attempts of a pull pool to workers (the lease scheduler's submit). Offering an
    /// attempt twice (a recovered action re-issued) changes nothing.
    public func offerLeases(pool: String, attempts: [(key: String, attempt: Int)], at now: Instant) async throws {
        try await backend.offerLeases(pool: pool, attempts: attempts, at: now)
    }

    /// Leases the oldest offered attempt of `pool` to `worker`, after ending every lease
    /// that has expired. Nil when nothing is offered.
    public func claimLease(pool: String, worker: String, machine: String?, lease: ConfigDuration, token: String,
                           idempotencyKey: String? = nil, at now: Instant) async throws -> LeaseRecord? {
        try await backend.claimLease(pool: pool, worker: worker, machine: machine, lease: lease, token: token, idempotencyKey: idempotencyKey, at: now)
    }

    /// Extends the lease `token` holds (by its own length, or `lease`).
    public func heartbeatLease(token: String, lease: ConfigDuration?, at now: Instant) async throws -> LeaseRecord {
        try await backend.heartbeatLease(token: token, lease: lease, at: now)
    }

    /// Ends the attempt `token` holds, as the worker reports it.
    public func endLease(token: String, outcome: AttemptOutcome, reason: String?, result: String?, at now: Instant) async throws -> LeaseRecord {
        try await backend.endLease(token: token, outcome: outcome, reason: reason, result: result, at: now)
    }

    /// Ends the leases that expired (their workers stopped answering): timeouts, counted.
    /// Returns them as ended, for the engine to settle; a read first, so that nothing is
    /// written when none expired.
    public func endExpiredLeases(at now: Instant) async throws -> [LeaseRecord] {
        try await backend.endExpiredLeases(at: now)
    }

    /// Revokes at once the leases held by workers on these machines (returned or lost): the
    /// attempts end as lost (infra: no attempt consumed) and their tokens are stale.
    @discardableResult
    public func revokeLeases(onMachines machines: [String], reason: String, at now: Instant) async throws -> Int {
        try await backend.revokeLeases(onMachines: machines, reason: reason, at: now)
    }

    /// Ends offered or leased attempts that orbrec cancels. Returns the keys whose attempt had
    /// already ended by itself (completed, failed, expired): those are not cancelled.
    @discardableResult
    public func cancelLeases(pool: String, attempts: [(key: String, attempt: Int)], at now: Instant) async throws -> Set<String> {
        try await backend.cancelLeases(pool: pool, attempts: attempts, at: now)
    }

    /// The newest attempt's lease of every task, as of `now`: what the lease scheduler reports.
    /// Read-only: a lease past its end is reported as ended (a timeout) without being written,
    /// so observing (`plan`, `status`, MCP's `plan_preview`) changes nothing; the end is
    /// recorded by the next claim or by the worker's next call.
    public func leases(pool: String? = nil, at now: Instant) async throws -> [LeaseRecord] {
        try await backend.leases(pool: pool, at: now)
    }

    /// The newest attempt's lease of one task, if any.
    public func currentLease(pool: String, key: String) async throws -> LeaseRecord? {
        try await backend.currentLease(pool: pool, key: key)
    }

    /// The lease a token holds or held, if any.
    public func lease(token: String) async throws -> LeaseRecord? {
        try await backend.lease(token: token)
    }

    /// The first answer given to a POST with this Idempotency-Key.
    public func idempotentAnswer(key: String) async throws -> (fingerprint: String, status: Int, body: Data)? {
        try await backend.idempotentAnswer(key: key)
    }

    /// Reserves an Idempotency-Key for a request about to be carried out, or says what became
    /// of the request that reserved it first.
    public func reserveIdempotencyKey(_ key: String, fingerprint: String, at now: Instant) async throws -> IdempotencyReservation {
        try await backend.reserveIdempotencyKey(key, fingerprint: fingerprint, at: now)
    }

    /// Keeps the answer to a reserved key: replays get it from now on.
    public func recordIdempotentAnswer(key: String, status: Int, body: Data) async throws {
        try await backend.recordIdempotentAnswer(key: key, status: status, body: body)
    }

    /// Gives a reserved key up (its request failed on the server's side): a retry tries again.
    public func dropIdempotencyKey(_ key: String) async throws {
        try await backend.dropIdempotencyKey(key)
    }

    /// Takes over a reservation whose request died before claiming anything.
    public func retakeIdempotencyKey(_ key: String, at now: Instant) async throws {
        try await backend.retakeIdempotencyKey(key, at: now)
    }

    /// Gives every held lease a fresh full length from now: a daemon that was down could not
    /// take heartbeats, and its workers must not lose their attempts (as timeouts) for it. A
    /// worker that died meanwhile is noticed one lease length later. Returns how many.
    @discardableResult
    public func renewLeasesAfterRestart(at now: Instant) async throws -> Int {
        try await backend.renewLeasesAfterRestart(at: now)
    }

    /// Forgets idempotent answers older than `age` (a day by default): a retry comes within
    /// minutes, and the answers hold fencing tokens that need not outlive their use.
    public func pruneIdempotentAnswers(olderThan age: ConfigDuration = .seconds(86_400), at now: Instant) async throws {
        try await backend.pruneIdempotentAnswers(olderThan: age, at: now)
    }
}

/// What became of an Idempotency-Key.
public enum IdempotencyReservation: Sendable {
    /// Free: this request reserved it and must answer.
    case reserved
    /// Answered before: replay it (when the fingerprint matches).
    case answered(fingerprint: String, status: Int, body: Data)
    /// Another request holds it and has not answered (in flight, or it died); `lease` is the
    /// lease a claim made under it, if it got that far.
    case pending(fingerprint: String, since: Instant, lease: LeaseRecord?)
}
