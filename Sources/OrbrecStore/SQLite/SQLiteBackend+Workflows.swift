package import OrbrecCore
internal import GRDB

extension SQLiteBackend {
    /// Records a new run with its steps (all pending, or as given), and an event, in one
    /// transaction; runs listed in `cancelling` are cancelled first (`concurrency: replace`).
    package func startWorkflowRun(_ run: WorkflowRun, reason: String, cancelling: [String] = [], at now: Instant) async throws {
        try await write { db in
            for id in cancelling { try Self.cancelRun(db, id: id, reason: "replaced by \(run.id)", at: now) }
            try Self.insertRun(db, run, reason: reason, at: now)
        }
    }

    /// Starts `run` as its workflow's `concurrency` allows, judged in the transaction that
    /// records it; with an `idempotencyKey` that started a run before, answers that run.
    package func startWorkflowRun(_ run: WorkflowRun, reason: String, concurrency: WorkflowSpec.Concurrency, idempotencyKey: String?,
                                  at now: Instant) async throws -> WorkflowRunAdmission {
        try await write { db in
            let keyName = idempotencyKey.map { "workflow-run-key:\($0)" }
            if let keyName, let earlier = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [keyName]) {
                return .earlier(runID: earlier)
            }
            let running = try String.fetchAll(db, sql: """
                SELECT id FROM workflow_runs WHERE workflow = ? AND state = 'running' ORDER BY created_at DESC, rowid DESC
                """, arguments: [run.workflow])
            if concurrency == .forbid && !running.isEmpty { return .refused(running: running) }
            let replaced = concurrency == .replace ? running : []
            for id in replaced { _ = try Self.cancelRun(db, id: id, reason: "replaced by \(run.id)", at: now) }
            try Self.insertRun(db, run, reason: reason, at: now)
            if let keyName { try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [keyName, run.id]) }
            return .started(replaced: replaced)
        }
    }

    static func insertRun(_ db: Database, _ run: WorkflowRun, reason: String, at now: Instant) throws {
        try db.execute(sql: """
            INSERT INTO workflow_runs (id, workflow, spec_hash, trigger, scheduled_for, reason, state, created_at, ended_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [run.id, run.workflow, run.specHash, run.trigger.rawValue, run.scheduledFor?.millisecondsSinceEpoch,
                             reason, run.state.rawValue, run.createdAt.millisecondsSinceEpoch, run.endedAt?.millisecondsSinceEpoch])
        for (position, step) in run.steps.enumerated() {
            try Self.saveStep(db, runID: run.id, step: step, position: position)
        }
        try EventRecord(at: now, resource: ResourceID(.workflow, run.workflow).description, subject: "run/\(run.id)",
                        fromState: nil, toState: run.state.rawValue, cause: "\(run.trigger.rawValue): \(reason)").append(to: db)
    }

    /// Writes how a run moved on (steps started and ended, the run's end), with an event for
    /// each change, in one transaction. Nothing is written for an empty progress.
    package func recordWorkflowProgress(_ run: WorkflowRun, _ progress: WorkflowProgress, at now: Instant) async throws {
        guard !progress.isEmpty else { return }
        let after = progress.applied(to: run, at: now)
        try await write { db in
            let resource = ResourceID(.workflow, run.workflow).description
            for (position, step) in after.steps.enumerated() where step != run.steps[position] {
                try Self.saveStep(db, runID: run.id, step: step, position: position)
                try EventRecord(at: now, resource: resource, subject: "step/\(run.id)/\(step.name)",
                                fromState: run.steps[position].state.rawValue, toState: step.state.rawValue,
                                cause: step.message.isEmpty ? "started" : step.message).append(to: db)
            }
            if after.state != run.state {
                try db.execute(sql: "UPDATE workflow_runs SET state = ?, ended_at = ? WHERE id = ?",
                               arguments: [after.state.rawValue, now.millisecondsSinceEpoch, run.id])
                try EventRecord(at: now, resource: resource, subject: "run/\(run.id)", fromState: run.state.rawValue,
                                toState: after.state.rawValue, cause: "every step ended").append(to: db)
            }
        }
    }

    /// Cancels a running run: its running and pending steps are cancelled, so its pools
    /// leave the desired state and their tasks are cancelled by the next plan. False when
    /// there is no such running run.
    @discardableResult
    package func cancelWorkflowRun(id: String, reason: String, at now: Instant) async throws -> Bool {
        try await write { db in try Self.cancelRun(db, id: id, reason: reason, at: now) }
    }

    /// Runs, newest first; of one workflow when given; only those still running when asked.
    package func workflowRuns(workflow: String? = nil, runningOnly: Bool = false) async throws -> [WorkflowRun] {
        try await read { db in
            var sql = "SELECT id, workflow, spec_hash, trigger, scheduled_for, state, created_at, ended_at FROM workflow_runs"
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let workflow {
                conditions.append("workflow = ?")
                arguments.append(workflow)
            }
            if runningOnly { conditions.append("state = 'running'") }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY created_at DESC, rowid DESC"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in try Self.run(db, row) }
        }
    }

    package func workflowRun(id: String) async throws -> (run: WorkflowRun, reason: String)? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, workflow, spec_hash, trigger, scheduled_for, state, created_at, ended_at, reason FROM workflow_runs WHERE id = ?
                """, arguments: [id]) else { return nil }
            return (try Self.run(db, row), row["reason"])
        }
    }

    /// When orbrec first saw the workflow: a schedule's moments before it start no run.
    package func workflowFirstSeen(_ workflow: String) async throws -> Instant? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: ["workflow-seen:\(workflow)"])
                .flatMap(Int64.init).map(Instant.init(millisecondsSinceEpoch:))
        }
    }

    /// The same, recording `now` the first time.
    package func workflowFirstSeen(_ workflow: String, orRecord now: Instant) async throws -> Instant {
        try await write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                           arguments: ["workflow-seen:\(workflow)", String(now.millisecondsSinceEpoch)])
            let value = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: ["workflow-seen:\(workflow)"])
            return value.flatMap(Int64.init).map(Instant.init(millisecondsSinceEpoch:)) ?? now
        }
    }

    static func run(_ db: Database, _ row: Row) throws -> WorkflowRun {
        let id: String = row["id"]
        let steps = try Row.fetchAll(db, sql: """
            SELECT step, state, started_at, ended_at, message FROM workflow_steps WHERE run_id = ? ORDER BY position
            """, arguments: [id]).map { step in
            WorkflowRun.Step(name: step["step"], state: WorkflowRun.Step.State(rawValue: step["state"]) ?? .pending,
                             startedAt: (step["started_at"] as Int64?).map(Instant.init(millisecondsSinceEpoch:)),
                             endedAt: (step["ended_at"] as Int64?).map(Instant.init(millisecondsSinceEpoch:)), message: step["message"])
        }
        return WorkflowRun(id: id, workflow: row["workflow"], specHash: row["spec_hash"],
                           trigger: WorkflowRun.Trigger(rawValue: row["trigger"]) ?? .manual,
                           scheduledFor: (row["scheduled_for"] as Int64?).map(Instant.init(millisecondsSinceEpoch:)),
                           state: WorkflowRun.State(rawValue: row["state"]) ?? .running,
                           createdAt: Instant(millisecondsSinceEpoch: row["created_at"]),
                           endedAt: (row["ended_at"] as Int64?).map(Instant.init(millisecondsSinceEpoch:)), steps: steps)
    }

    static func saveStep(_ db: Database, runID: String, step: WorkflowRun.Step, position: Int) throws {
        try db.execute(sql: """
            INSERT INTO workflow_steps (run_id, step, position, state, started_at, ended_at, message) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(run_id, step) DO UPDATE SET state = excluded.state, started_at = excluded.started_at,
                ended_at = excluded.ended_at, message = excluded.message
            """, arguments: [runID, step.name, position, step.state.rawValue, step.startedAt?.millisecondsSinceEpoch,
                             step.endedAt?.millisecondsSinceEpoch, step.message])
    }

    static func cancelRun(_ db: Database, id: String, reason: String, at now: Instant) throws -> Bool {
        guard let row = try Row.fetchOne(db, sql: "SELECT workflow, state FROM workflow_runs WHERE id = ?", arguments: [id]),
              row["state"] as String == WorkflowRun.State.running.rawValue else { return false }
        let at = now.millisecondsSinceEpoch
        let resource = ResourceID(.workflow, row["workflow"]).description
        // Each step stopped is a transition too: a stream's reader sees the run end step by step.
        let stopped = try Row.fetchAll(db, sql: """
            SELECT step, state FROM workflow_steps WHERE run_id = ? AND state IN ('pending', 'running') ORDER BY position
            """, arguments: [id])
        try db.execute(sql: """
            UPDATE workflow_steps SET state = 'cancelled', ended_at = ?, message = ? WHERE run_id = ? AND state IN ('pending', 'running')
            """, arguments: [at, reason, id])
        for step in stopped {
            try EventRecord(at: now, resource: resource, subject: "step/\(id)/\(step["step"] as String)", fromState: step["state"],
                            toState: "cancelled", cause: reason).append(to: db)
        }
        try db.execute(sql: "UPDATE workflow_runs SET state = 'cancelled', ended_at = ? WHERE id = ?", arguments: [at, id])
        try EventRecord(at: now, resource: resource, subject: "run/\(id)",
                        fromState: "running", toState: "cancelled", cause: reason).append(to: db)
        return true
    }
}

extension SQLiteBackend {
    /// The requests each step of a run caused, by step name, oldest first.
    package func workflowStepRequests(runID: String) async throws -> [String: [RequestRecord]] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT s.step AS step, r.id AS id FROM workflow_step_actions s
                JOIN requests r ON r.action_id = s.action_id WHERE s.run_id = ? ORDER BY r.created_at, r.id
                """, arguments: [runID])
            let ids = rows.map { (step: $0["step"] as String, id: $0["id"] as String) }
            let records = try RequestRecord.fetchAll(db, keys: ids.map(\.id))
            let byID = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var result: [String: [RequestRecord]] = [:]
            for (step, id) in ids { if let record = byID[id] { result[step, default: []].append(record) } }
            return result
        }
    }
}
