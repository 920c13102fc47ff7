internal import Foundation
package import OrbrecCore
package import OrbrecStore
internal import PostgresNIO
internal import Synchronization

extension PostgresBackend {
    /// One step of the event-driven path in one transaction: the jobs of the attempts the
    /// previous step started and the end of its actions, the ends just announced, and the
    /// intent of the attempts about to start (action `issuing`, tasks `running`, attempts
    /// `submitting`). Nothing of `submits` may start before this returns.
    package func recordStep(started: [StateStore.StartedAttempt], finished: [StateStore.FinishedAction], settlements: [StateStore.Settlement],
                           submits: [StateStore.StepSubmit], at now: Instant) async throws {
        guard !(started.isEmpty && finished.isEmpty && settlements.isEmpty && submits.isEmpty) else { return }
        try await write { tx in
            let at = now.millisecondsSinceEpoch
            try await PostgresTaskSQL.markSubmitted(tx, started.map { (TaskID(pool: $0.pool, key: $0.key), $0.attempt, $0.jobID) }, at: at)
            try await finish(tx, finished, at: now)
            // One read of every task the step changes, before it changes any: the events' `from`.
            let starting = submits.flatMap { submit in submit.attempts.map { TaskID(pool: submit.action.resource.name, key: $0.key) } }
            var states = try await PostgresTaskSQL.states(tx, settlements.map(\.transition.task.id) + starting)
            if !settlements.isEmpty { try await settle(tx, settlements, states: &states, at: now) }
            var actions: [ActionRecord] = []
            var starts: [PostgresTaskSQL.Start] = []
            for submit in submits {
                // Planned and issuing in one go: the intent and the start of the call share this transaction.
                var action = submit.action
                action.state = .issuing
                actions.append(action)
                let resource = action.resource.description
                tx.appendEvent(at: action.createdAt, resource: resource, subject: "action/\(action.id)",
                               from: nil, to: ActionRecord.State.planned.rawValue, cause: "\(action.verb.rawValue) \(action.reason)")
                tx.appendEvent(at: now, resource: resource, subject: "action/\(action.id)", from: ActionRecord.State.planned.rawValue,
                               to: ActionRecord.State.issuing.rawValue, cause: action.reason.description)
                starts += appendStartEvents(tx, actionID: action.id, scheduler: submit.scheduler, pool: action.resource.name,
                                            attempts: submit.attempts, states: &states, at: now)
            }
            try await tx.insert(actions, into: "actions")
            try await PostgresTaskSQL.startAttempts(tx, starts, outputLocation: outputLocation.withLock { $0 }, at: at)
        }
    }

    /// Ends issued actions (`succeeded`, or `failed` with an error), an event each that
    /// changed; one already ended, or named a second time, stays as it is.
    private func finish(_ tx: StateTransaction, _ finished: [StateStore.FinishedAction], at now: Instant) async throws {
        var seen: Set<String> = []
        let first = finished.filter { seen.insert($0.id).inserted }
        guard !first.isEmpty else { return }
        var rows = JSONRows()
        for action in first {
            let state = action.error == nil ? ActionRecord.State.succeeded : .failed
            rows.append([("id", .text(action.id)), ("state", .text(state.rawValue)), ("error", action.error.map { .text($0) } ?? .null)])
        }
        let changed = Set(try await tx.values(String.self, """
            UPDATE actions a SET state = f.state, error = COALESCE(f.error, a.error), updated_at = \(now.millisecondsSinceEpoch)
            FROM (SELECT * FROM jsonb_to_recordset(\(rows.json)::jsonb) AS t(id text, state text, error text) LIMIT \(rows.count)) f
            WHERE a.id = f.id AND a.state = \(ActionRecord.State.issuing.rawValue) RETURNING a.id
            """))
        for action in first where changed.contains(action.id) {
            let state = action.error == nil ? ActionRecord.State.succeeded : .failed
            tx.appendEvent(at: now, resource: action.resource, subject: "action/\(action.id)",
                           from: ActionRecord.State.issuing.rawValue, to: state.rawValue, cause: action.error ?? action.reason)
        }
    }

    /// The journal's tasks of `ids` that are running, by identity.
    package func runningTasks(_ ids: [TaskID]) async throws -> [TaskID: TaskStatus] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return try await read { tx in
            let pools = unique.map(\.pool), keys = unique.map(\.key)
            let rows = try await tx.rows("""
                SELECT \(unescaped: PostgresTaskSQL.statusColumns) FROM tasks
                WHERE state = 'running' AND (pool, key) IN (SELECT * FROM unnest(\(pools)::text[], \(keys)::text[]))
                """)
            let outcomes = JSONDecoder()
            var found: [TaskID: TaskStatus] = [:]
            for row in rows {
                let status = try PostgresTaskSQL.status(row, outcomes: outcomes)
                found[status.id] = status
            }
            return found
        }
    }

    /// A number that changes whenever another orbrec commits to the state: what lets a daemon
    /// tell whether the journal changed under it while it did not hold the lock. Its own
    /// commits leave it as it was; a commit whose fate is unknown counts as another's.
    package func othersChangeCounter() async throws -> Int {
        let version = try await read { tx in try await tx.value(Int64.self, "SELECT version FROM journal_version") } ?? 0
        return Int(version) - ownVersions.load(ordering: .relaxed) + uncertainCommits.load(ordering: .relaxed)
    }
}
