package import OrbrecCore
internal import GRDB

extension SQLiteBackend {
    /// Appends an event that is not a transition of an action, request or machine: the
    /// daemon's configuration becoming invalid or valid again, a reload.
    @discardableResult
    package func recordEvent(resource: String, subject: String, from: String?, to: String, cause: String, at now: Instant) async throws -> Int64? {
        try await write { db in
            var event = EventRecord(at: now, resource: resource, subject: subject, fromState: from, toState: to, cause: cause)
            try event.insert(db)
            return event.seq
        }
    }

    /// The newest event's sequence number (0 when there is none): where a new SSE stream starts.
    package func lastEventSeq() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0 }
    }

    /// How many machines are in each state, and tasks in each state: the daemon's gauges.
    package func machineCounts() async throws -> [String: Int] {
        try await read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM machines GROUP BY state") {
                counts[row["state"]] = row["n"]
            }
            return counts
        }
    }

    package func taskCounts() async throws -> [String: Int] {
        try await read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM tasks GROUP BY state") {
                counts[row["state"]] = row["n"]
            }
            return counts
        }
    }
}

extension SQLiteBackend {
    /// The journaled `--policy-override`s, newest first: who let which violation through, why.
    package func policyOverrides(limit: Int = 100) async throws -> [EventRecord] {
        try await read { db in
            try EventRecord.fetchAll(db, sql: "SELECT * FROM events WHERE to_state = 'overridden' AND resource LIKE 'Policy/%' "
                                     + "ORDER BY seq DESC LIMIT ?", arguments: [limit])
        }
    }
}

extension SQLiteBackend {
    /// The violations overridden for a configuration revision, as `Policy/NAME|rule subject`:
    /// the daemon lets through what an operator's `apply --policy-override` let through, for
    /// as long as the configuration is the one it was given for.
    package func policyOverrideKeys(revision: String) async throws -> Set<String> {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT resource, subject FROM events WHERE to_state = 'overridden' AND resource LIKE 'Policy/%' AND cause LIKE ?
                """, arguments: ["%(config \(revision.prefix(12)))"])
            return Set(rows.map { "\($0["resource"] as String)|\($0["subject"] as String)" })
        }
    }
}
