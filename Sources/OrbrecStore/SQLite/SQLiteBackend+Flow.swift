package import OrbrecCore
internal import GRDB

extension SQLiteBackend {
    /// One step of the event-driven path in one durable transaction (group commit): the jobs
    /// of the attempts the previous step started and the end of its actions, the ends just
    /// announced, and the intent of the attempts about to start (action `issuing`, tasks
    /// `running`, attempts `submitting`). Nothing of `submits` may start before this returns.
    package func recordStep(started: [StateStore.StartedAttempt], finished: [StateStore.FinishedAction], settlements: [StateStore.Settlement],
                           submits: [StateStore.StepSubmit], at now: Instant) async throws {
        guard !(started.isEmpty && finished.isEmpty && settlements.isEmpty && submits.isEmpty) else { return }
        try await write { db in
            for item in started {
                try markSubmitted(db, pool: item.pool, key: item.key, attempt: item.attempt, jobID: item.jobID, at: now)
            }
            let at = now.millisecondsSinceEpoch
            for action in finished {
                let state = action.error == nil ? ActionRecord.State.succeeded : .failed
                try db.cachedStatement(sql: "UPDATE actions SET state = ?, error = COALESCE(?, error), updated_at = ? WHERE id = ? AND state = ?")
                    .execute(arguments: [state.rawValue, action.error, at, action.id, ActionRecord.State.issuing.rawValue])
                if db.changesCount > 0 {
                    try TaskSQL.appendEvent(db, at: at, resource: action.resource, subject: "action/\(action.id)",
                                            from: ActionRecord.State.issuing.rawValue, to: state.rawValue, cause: action.error ?? action.reason)
                }
            }
            for settlement in settlements {
                try settle(db, settlement.transition, attempt: settlement.attempt, outcome: settlement.outcome, jobID: settlement.jobID, at: now)
            }
            for submit in submits {
                // Planned and issuing in one go: the intent and the start of the call share this transaction.
                var action = submit.action
                action.state = .issuing
                try action.insert(db)
                let resource = action.resource.description
                try TaskSQL.appendEvent(db, at: action.createdAt.millisecondsSinceEpoch, resource: resource, subject: "action/\(action.id)",
                                        from: nil, to: ActionRecord.State.planned.rawValue, cause: "\(action.verb.rawValue) \(action.reason)")
                try TaskSQL.appendEvent(db, at: at, resource: resource, subject: "action/\(action.id)", from: ActionRecord.State.planned.rawValue,
                                        to: ActionRecord.State.issuing.rawValue, cause: action.reason.description)
                try startAttempts(db, actionID: action.id, scheduler: submit.scheduler, pool: action.resource.name,
                                  attempts: submit.attempts, at: now)
            }
        }
    }

    /// The journal's tasks of `ids` that are running, by identity.
    package func runningTasks(_ ids: [TaskID]) async throws -> [TaskID: TaskStatus] {
        try await read { db in
            var found: [TaskID: TaskStatus] = [:]
            let statement = try db.cachedStatement(sql: "SELECT * FROM tasks WHERE pool = ? AND key = ? AND state = 'running'")
            for id in Set(ids) {
                if let record = try TaskRecord.fetchOne(statement, arguments: [id.pool, id.key]) { found[id] = record.status }
            }
            return found
        }
    }
}

extension SQLiteBackend {
    /// A number that changes whenever another connection (another orbrec process) commits to
    /// the state: what lets a daemon tell whether the journal changed under it while it did
    /// not hold the lock. Its own commits leave it as it was.
    package func othersChangeCounter() async throws -> Int {
        try await writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    }
}
