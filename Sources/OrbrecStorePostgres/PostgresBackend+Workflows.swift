package import OrbrecCore
package import OrbrecStore
internal import PostgresNIO

extension PostgresBackend {
    /// Records a new run with its steps (all pending, or as given), and an event, in one
    /// transaction; runs listed in `cancelling` are cancelled first (`concurrency: replace`).
    package func startWorkflowRun(_ run: WorkflowRun, reason: String, cancelling: [String] = [], at now: Instant) async throws {
        try await write { tx in
            for id in cancelling { try await Self.cancelRun(tx, id: id, reason: "replaced by \(run.id)", at: now) }
            try await Self.insertRun(tx, run, reason: reason, at: now)
        }
    }

    /// Starts `run` as its workflow's `concurrency` allows, judged in the transaction that
    /// records it (journal writes take one lock, so two starts are judged one after the other);
    /// with an `idempotencyKey` that started a run before, answers that run.
    package func startWorkflowRun(_ run: WorkflowRun, reason: String, concurrency: WorkflowSpec.Concurrency, idempotencyKey: String?,
                                  at now: Instant) async throws -> WorkflowRunAdmission {
        try await write { tx in
            let keyName = idempotencyKey.map { "workflow-run-key:\($0)" }
            if let keyName, let earlier = try await tx.value(String.self, "SELECT value FROM meta WHERE key = \(keyName)") {
                return .earlier(runID: earlier)
            }
            let running = try await tx.values(String.self, """
                SELECT id FROM workflow_runs WHERE workflow = \(run.workflow) AND state = 'running' ORDER BY created_at DESC, seq DESC
                """)
            if concurrency == .forbid && !running.isEmpty { return .refused(running: running) }
            let replaced = concurrency == .replace ? running : []
            for id in replaced { try await Self.cancelRun(tx, id: id, reason: "replaced by \(run.id)", at: now) }
            try await Self.insertRun(tx, run, reason: reason, at: now)
            if let keyName { try await tx.execute("INSERT INTO meta (key, value) VALUES (\(keyName), \(run.id))") }
            return .started(replaced: replaced)
        }
    }

    private static func insertRun(_ tx: StateTransaction, _ run: WorkflowRun, reason: String, at now: Instant) async throws {
        try await tx.execute("""
            INSERT INTO workflow_runs (id, workflow, spec_hash, trigger, scheduled_for, reason, state, created_at, ended_at)
            VALUES (\(run.id), \(run.workflow), \(run.specHash), \(run.trigger.rawValue), \(run.scheduledFor?.millisecondsSinceEpoch),
                    \(reason), \(run.state.rawValue), \(run.createdAt.millisecondsSinceEpoch), \(run.endedAt?.millisecondsSinceEpoch))
            """)
        for (position, step) in run.steps.enumerated() {
            try await Self.saveStep(tx, runID: run.id, step: step, position: position)
        }
        tx.appendEvent(at: now, resource: ResourceID(.workflow, run.workflow).description, subject: "run/\(run.id)",
                       from: nil, to: run.state.rawValue, cause: "\(run.trigger.rawValue): \(reason)")
    }

    /// Writes how a run moved on (steps started and ended, the run's end), with an event for
    /// each change, in one transaction. Nothing is written for an empty progress.
    package func recordWorkflowProgress(_ run: WorkflowRun, _ progress: WorkflowProgress, at now: Instant) async throws {
        guard !progress.isEmpty else { return }
        let after = progress.applied(to: run, at: now)
        try await write { tx in
            let resource = ResourceID(.workflow, run.workflow).description
            for (position, step) in after.steps.enumerated() where step != run.steps[position] {
                try await Self.saveStep(tx, runID: run.id, step: step, position: position)
                tx.appendEvent(at: now, resource: resource, subject: "step/\(run.id)/\(step.name)",
                               from: run.steps[position].state.rawValue, to: step.state.rawValue,
                               cause: step.message.isEmpty ? "started" : step.message)
            }
            if after.state != run.state {
                try await tx.execute("""
                    UPDATE workflow_runs SET state = \(after.state.rawValue), ended_at = \(now.millisecondsSinceEpoch) WHERE id = \(run.id)
                    """)
                tx.appendEvent(at: now, resource: resource, subject: "run/\(run.id)", from: run.state.rawValue,
                               to: after.state.rawValue, cause: "every step ended")
            }
        }
    }

    /// Cancels a running run: its running and pending steps are cancelled, so its pools
    /// leave the desired state and their tasks are cancelled by the next plan. False when
    /// there is no such running run.
    @discardableResult
    package func cancelWorkflowRun(id: String, reason: String, at now: Instant) async throws -> Bool {
        try await write { tx in try await Self.cancelRun(tx, id: id, reason: reason, at: now) }
    }

    /// Runs, newest first; of one workflow when given; only those still running when asked.
    package func workflowRuns(workflow: String? = nil, runningOnly: Bool = false) async throws -> [WorkflowRun] {
        var sql = "SELECT \(RunRow.columns) FROM workflow_runs"
        var conditions: [String] = []
        var values: [RowEncoder.Value] = []
        if let workflow {
            values.append(.text(workflow))
            conditions.append("workflow = $\(values.count)")
        }
        if runningOnly { conditions.append("state = 'running'") }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY created_at DESC, seq DESC"
        return try await snapshot { tx in
            let rows = try await tx.rows(sql: sql, values).map { try RowDecoder.decode(RunRow.self, from: $0) }
            return try await Self.runs(tx, rows)
        }
    }

    package func workflowRun(id: String) async throws -> (run: WorkflowRun, reason: String)? {
        try await snapshot { tx in
            guard let row = try await tx.fetchOne(RunRow.self, "SELECT \(unescaped: RunRow.columns) FROM workflow_runs WHERE id = \(id)")
            else { return nil }
            guard let run = try await Self.runs(tx, [row]).first else { return nil }
            return (run, row.reason)
        }
    }

    /// When orbrec first saw the workflow: a schedule's moments before it start no run.
    package func workflowFirstSeen(_ workflow: String) async throws -> Instant? {
        try await read { tx in
            try await tx.value(String.self, "SELECT value FROM meta WHERE key = \("workflow-seen:\(workflow)")")
                .flatMap(Int64.init).map(Instant.init(millisecondsSinceEpoch:))
        }
    }

    /// The same, recording `now` the first time.
    package func workflowFirstSeen(_ workflow: String, orRecord now: Instant) async throws -> Instant {
        let key = "workflow-seen:\(workflow)"
        return try await write { tx in
            try await tx.execute("INSERT INTO meta (key, value) VALUES (\(key), \(String(now.millisecondsSinceEpoch))) ON CONFLICT DO NOTHING")
            let value = try await tx.value(String.self, "SELECT value FROM meta WHERE key = \(key)")
            return value.flatMap(Int64.init).map(Instant.init(millisecondsSinceEpoch:)) ?? now
        }
    }

    /// The requests each step of a run caused, by step name, oldest first.
    package func workflowStepRequests(runID: String) async throws -> [String: [RequestRecord]] {
        try await read { tx in
            // One statement: each request row with the step that caused it.
            let rows = try await tx.rows("""
                SELECT s.step AS step, r.* FROM workflow_step_actions s
                JOIN requests r ON r.action_id = s.action_id WHERE s.run_id = \(runID) ORDER BY r.created_at, r.id
                """)
            var result: [String: [RequestRecord]] = [:]
            for row in rows {
                let step = try row.makeRandomAccess()["step"].decode(String.self)
                result[step, default: []].append(try RowDecoder.decode(RequestRecord.self, from: row))
            }
            return result
        }
    }
}

extension PostgresBackend {
    /// Runs from their rows, with the steps of all of them read in one more statement.
    private static func runs(_ tx: StateTransaction, _ rows: [RunRow]) async throws -> [WorkflowRun] {
        guard !rows.isEmpty else { return [] }
        let ids = rows.map(\.id)
        let steps = try await tx.fetchAll(StepRow.self, """
            SELECT run_id, step, state, started_at, ended_at, message FROM workflow_steps
            WHERE run_id = ANY(\(ids)) ORDER BY run_id, position
            """)
        let byRun = Dictionary(grouping: steps, by: \.runId)
        return rows.map { $0.run(steps: byRun[$0.id] ?? []) }
    }

    static func saveStep(_ tx: StateTransaction, runID: String, step: WorkflowRun.Step, position: Int) async throws {
        try await tx.execute("""
            INSERT INTO workflow_steps (run_id, step, position, state, started_at, ended_at, message)
            VALUES (\(runID), \(step.name), \(position), \(step.state.rawValue), \(step.startedAt?.millisecondsSinceEpoch),
                    \(step.endedAt?.millisecondsSinceEpoch), \(step.message))
            ON CONFLICT (run_id, step) DO UPDATE SET state = excluded.state, started_at = excluded.started_at,
                ended_at = excluded.ended_at, message = excluded.message
            """)
    }

    @discardableResult
    static func cancelRun(_ tx: StateTransaction, id: String, reason: String, at now: Instant) async throws -> Bool {
        guard let row = try await tx.rows("SELECT workflow, state FROM workflow_runs WHERE id = \(id) FOR UPDATE").first else { return false }
        let (workflow, state) = try row.decode((String, String).self)
        guard state == WorkflowRun.State.running.rawValue else { return false }
        let at = now.millisecondsSinceEpoch
        let resource = ResourceID(.workflow, workflow).description
        // Each step stopped is a transition too: a stream's reader sees the run end step by step.
        let stopped = try await tx.rows("""
            SELECT step, state FROM workflow_steps WHERE run_id = \(id) AND state IN ('pending', 'running') ORDER BY position
            """).map { try $0.decode((String, String).self) }
        try await tx.execute("""
            UPDATE workflow_steps SET state = 'cancelled', ended_at = \(at), message = \(reason)
            WHERE run_id = \(id) AND state IN ('pending', 'running')
            """)
        for (step, state) in stopped {
            tx.appendEvent(at: now, resource: resource, subject: "step/\(id)/\(step)", from: state, to: "cancelled", cause: reason)
        }
        try await tx.execute("UPDATE workflow_runs SET state = 'cancelled', ended_at = \(at) WHERE id = \(id)")
        tx.appendEvent(at: now, resource: resource, subject: "run/\(id)",
                       from: "running", to: "cancelled", cause: reason)
        return true
    }
}

/// A `workflow_runs` row as the run readers select it.
private struct RunRow: Decodable {
    static let columns = "id, workflow, spec_hash, trigger, scheduled_for, state, created_at, ended_at, reason"

    var id: String
    var workflow: String
    var specHash: String
    var trigger: String
    var scheduledFor: Int64?
    var state: String
    var createdAt: Int64
    var endedAt: Int64?
    var reason: String

    func run(steps: [StepRow]) -> WorkflowRun {
        WorkflowRun(id: id, workflow: workflow, specHash: specHash, trigger: WorkflowRun.Trigger(rawValue: trigger) ?? .manual,
                    scheduledFor: scheduledFor.map(Instant.init(millisecondsSinceEpoch:)),
                    state: WorkflowRun.State(rawValue: state) ?? .running, createdAt: Instant(millisecondsSinceEpoch: createdAt),
                    endedAt: endedAt.map(Instant.init(millisecondsSinceEpoch:)), steps: steps.map(\.asStep))
    }
}

/// A `workflow_steps` row.
private struct StepRow: Decodable {
    var runId: String
    var step: String
    var state: String
    var startedAt: Int64?
    var endedAt: Int64?
    var message: String

    var asStep: WorkflowRun.Step {
        WorkflowRun.Step(name: step, state: WorkflowRun.Step.State(rawValue: state) ?? .pending,
                         startedAt: startedAt.map(Instant.init(millisecondsSinceEpoch:)),
                         endedAt: endedAt.map(Instant.init(millisecondsSinceEpoch:)), message: message)
    }
}
