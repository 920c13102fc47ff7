extension StatusReport {
    /// A workflow's row: in sync when no run is running and none is due; a run that ended is
    /// converged whatever its end (a failed run degrades the row, as dead letters a pool),
    /// since nothing more will happen until a trigger or `workflows start`.
    static func workflowRow(_ workflow: WorkflowSpec, runs: [WorkflowRun], due: String?) -> Row {
        let newestFirst = runs.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        let running = newestFirst.filter { $0.state == .running }
        let lastEnded = newestFirst.first { $0.state.isFinished }
        let observed = newestFirst.first.map(Self.runSummary) ?? "no runs"
        var health: Health = .healthy
        var messages: [String] = []
        if !running.isEmpty {
            health = .progressing
            for run in running.reversed() {
                let steps = run.steps.filter { $0.state == .running }.map(\.name)
                messages.append("\(run.id) running" + (steps.isEmpty ? "" : ": \(steps.joined(separator: ", "))"))
            }
        } else if let lastEnded {
            switch lastEnded.state {
            case .failed:
                health = .degraded
                let failed = lastEnded.steps.filter { $0.state == .failed }
                    .map { $0.message.isEmpty ? $0.name : "\($0.name) (\($0.message))" }
                messages.append("last run \(lastEnded.id) failed" + (failed.isEmpty ? "" : ": \(failed.joined(separator: ", "))"))
            case .cancelled:
                messages.append("last run \(lastEnded.id) cancelled")
            case .succeeded, .running:
                break
            }
        }
        if let due { messages.append("a run is due: \(due)") }
        let sync: Sync = running.isEmpty && due == nil ? .synced : .outOfSync
        return Row(id: workflow.id, desired: Self.triggerSummary(workflow), observed: observed, sync: sync, health: health,
                   message: messages.joined(separator: "; "))
    }

    /// `onChange`, `schedule 0 2 * * *`, both, or `manual` (only `workflows start` runs it).
    static func triggerSummary(_ workflow: WorkflowSpec) -> String {
        var parts: [String] = []
        if workflow.trigger.onChange { parts.append("onChange") }
        if let schedule = workflow.trigger.schedule { parts.append("schedule \(schedule.expression)") }
        return parts.isEmpty ? "manual" : parts.joined(separator: ", ")
    }

    /// `wr-… succeeded (4/4 steps)`: the run's state and how many of its steps ended.
    static func runSummary(_ run: WorkflowRun) -> String {
        let ended = run.steps.filter { $0.state.isFinished }.count
        return "\(run.id) \(run.state.rawValue) (\(ended)/\(run.steps.count) steps)"
    }

    /// A pool that workflow steps refer to: each run runs a copy of it under its own name, so
    /// the pattern itself has nothing to run and is always in sync.
    static func patternRow(_ pool: TaskPoolSpec, desired: DesiredState) -> Row {
        let users = desired.workflows.values.filter { workflow in
            workflow.steps.contains { if case .taskPool(let ref) = $0.work { ref == pool.name } else { false } }
        }.map(\.id.description).sorted()
        return Row(id: pool.id, desired: "\(pool.tasks.count) task(s)", observed: "pattern", sync: .synced, health: .healthy,
                   message: "run by \(users.joined(separator: ", ")) as a step")
    }
}
