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
            for item in started {
                try await markSubmitted(tx, pool: item.pool, key: item.key, attempt: item.attempt, jobID: item.jobID, at: now)
            }
            let at = now.millisecondsSinceEpoch
            for action in finished {
                let state = action.error == nil ? ActionRecord.State.succeeded : .failed
                let changed = try await tx.count("""
                    UPDATE actions SET state = \(state.rawValue), error = COALESCE(\(action.error), error), updated_at = \(at)
                    WHERE id = \(action.id) AND state = \(ActionRecord.State.issuing.rawValue) RETURNING 1
                    """)
                if changed > 0 {
                    tx.appendEvent(at: now, resource: action.resource, subject: "action/\(action.id)",
                                   from: ActionRecord.State.issuing.rawValue, to: state.rawValue, cause: action.error ?? action.reason)
                }
            }
            for settlement in settlements {
                try await settle(tx, settlement.transition, attempt: settlement.attempt, outcome: settlement.outcome,
                                 jobID: settlement.jobID, at: now)
            }
            for submit in submits {
                // Planned and issuing in one go: the intent and the start of the call share this transaction.
                var action = submit.action
                action.state = .issuing
                try await tx.insert(action, into: "actions")
                let resource = action.resource.description
                tx.appendEvent(at: action.createdAt, resource: resource, subject: "action/\(action.id)",
                               from: nil, to: ActionRecord.State.planned.rawValue, cause: "\(action.verb.rawValue) \(action.reason)")
                tx.appendEvent(at: now, resource: resource, subject: "action/\(action.id)", from: ActionRecord.State.planned.rawValue,
                               to: ActionRecord.State.issuing.rawValue, cause: action.reason.description)
                try await startAttempts(tx, actionID: action.id, scheduler: submit.scheduler, pool: action.resource.name,
                                        attempts: submit.attempts, at: now)
            }
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
