package import OrbrecCore
package import OrbrecStore
internal import PostgresNIO

extension PostgresBackend {
    /// Appends an event that is not a transition of an action, request or machine: the
    /// daemon's configuration becoming invalid or valid again, a reload.
    @discardableResult
    package func recordEvent(resource: String, subject: String, from: String?, to: String, cause: String, at now: Instant) async throws -> Int64? {
        try await write { tx in
            tx.append(EventRecord(at: now, resource: resource, subject: subject, fromState: from, toState: to, cause: cause))
            // Flushed here, at the end of the body, to learn its seq; the write's tail has nothing left.
            return try await tx.flushEvents(lockKey: eventsKey).last
        }
    }

    /// The newest event's sequence number (0 when there is none): where a new SSE stream starts.
    package func lastEventSeq() async throws -> Int64 {
        try await read { tx in try await tx.value(Int64.self, "SELECT MAX(seq) FROM events") } ?? 0
    }

    /// How many machines are in each state, and tasks in each state: the daemon's gauges.
    package func machineCounts() async throws -> [String: Int] {
        try await read { tx in try await Self.counts(tx, "SELECT state, COUNT(*) AS n FROM machines GROUP BY state") }
    }

    package func taskCounts() async throws -> [String: Int] {
        try await read { tx in try await Self.counts(tx, "SELECT state, COUNT(*) AS n FROM tasks GROUP BY state") }
    }

    private static func counts(_ tx: StateTransaction, _ query: PostgresQuery) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await tx.rows(query) {
            let (state, count) = try row.decode((String, Int64).self)
            counts[state] = Int(count)
        }
        return counts
    }

    /// The journaled `--policy-override`s, newest first: who let which violation through, why.
    package func policyOverrides(limit: Int = 100) async throws -> [EventRecord] {
        try await read { tx in
            try await tx.fetchAll(EventRecord.self, """
                SELECT * FROM events WHERE to_state = 'overridden' AND resource LIKE 'Policy/%' ORDER BY seq DESC LIMIT \(limit)
                """)
        }
    }

    /// The violations overridden for a configuration revision, as `Policy/NAME|rule subject`:
    /// the daemon lets through what an operator's `apply --policy-override` let through, for
    /// as long as the configuration is the one it was given for.
    package func policyOverrideKeys(revision: String) async throws -> Set<String> {
        let pattern = "%(config \(revision.prefix(12)))"
        return try await read { tx in
            let rows = try await tx.rows("""
                SELECT resource, subject FROM events WHERE to_state = 'overridden' AND resource LIKE 'Policy/%' AND cause LIKE \(pattern)
                """)
            return Set(try rows.map {
                let (resource, subject) = try $0.decode((String, String).self)
                return "\(resource)|\(subject)"
            })
        }
    }
}
