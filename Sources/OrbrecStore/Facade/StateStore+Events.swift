public import OrbrecCore

extension StateStore {
    /// Appends an event that is not a transition of an action, request or machine: the
    /// daemon's configuration becoming invalid or valid again, a reload.
    @discardableResult
    public func recordEvent(resource: String, subject: String, from: String?, to: String, cause: String, at now: Instant) async throws -> Int64? {
        try await backend.recordEvent(resource: resource, subject: subject, from: from, to: to, cause: cause, at: now)
    }

    /// The newest event's sequence number (0 when there is none): where a new SSE stream starts.
    public func lastEventSeq() async throws -> Int64 {
        try await backend.lastEventSeq()
    }

    /// How many machines are in each state, and tasks in each state: the daemon's gauges.
    public func machineCounts() async throws -> [String: Int] {
        try await backend.machineCounts()
    }

    public func taskCounts() async throws -> [String: Int] {
        try await backend.taskCounts()
    }

    /// The journaled `--policy-override`s, newest first: who let which violation through, why.
    public func policyOverrides(limit: Int = 100) async throws -> [EventRecord] {
        try await backend.policyOverrides(limit: limit)
    }

    /// The violations overridden for a configuration revision, as `Policy/NAME|rule subject`:
    /// the daemon lets through what an operator's `apply --policy-override` let through, for
    /// as long as the configuration is the one it was given for.
    public func policyOverrideKeys(revision: String) async throws -> Set<String> {
        try await backend.policyOverrideKeys(revision: revision)
    }
}
