public import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// The desired state with what the running workflow runs add (read-only).
    /// The configuration with what running workflow runs, open machine requests and the tasks
    /// posted to api pools add.
    public func effectiveDesired(_ desired: DesiredState) async throws -> DesiredState {
        desired.applying(try await store.workflowRuns(runningOnly: true))
            .applying(demands: try await store.demands(openOnly: true), returning: try await store.pendingReturns())
            .applying(apiTasks: try await store.apiTasks(pools: desired.apiPools))
    }

    /// Runs each workflow's triggers would start now, with why (for `plan`; writes nothing).
    public func dueWorkflowRuns(_ desired: DesiredState) async throws -> [(workflow: String, decision: WorkflowTriggers.Decision)] {
        let now = clock.now()
        var due: [(workflow: String, decision: WorkflowTriggers.Decision)] = []
        for spec in desired.workflows.values.sorted(by: { $0.name < $1.name }) {
            let runs = try await store.workflowRuns(workflow: spec.name)
            let seen = try await store.workflowFirstSeen(spec.name)
            let origin = runs.map(\.createdAt).max() ?? seen ?? now
            let decision = WorkflowTriggers().decide(spec, runs: runs, since: origin, now: now)
            if !(decision.starts.isEmpty && decision.held.isEmpty) { due.append((spec.name, decision)) }
        }
        return due
    }

    /// Starts the runs that are due and moves the running ones on from what `snapshot`
    /// observed, journaling every change before anything acts on it. Returns the lines to
    /// show and whether anything changed. Call under the state lock.
    @discardableResult
    func advanceWorkflows(_ desired: DesiredState, snapshot: Snapshot) async throws -> [String] {
        let now = clock.now()
        var lines: [String] = []
        for spec in desired.workflows.values.sorted(by: { $0.name < $1.name }) {
            let runs = try await store.workflowRuns(workflow: spec.name)
            let newest = runs.map(\.createdAt).max()
            let origin: Instant
            if let newest { origin = newest } else { origin = try await store.workflowFirstSeen(spec.name, orRecord: now) }
            let decision = WorkflowTriggers().decide(spec, runs: runs, since: origin, now: now)
            for line in decision.held { lines.append("Workflow/\(spec.name): \(line)") }
            for start in decision.starts {
                let run = WorkflowRun(id: Identifiers.workflowRun(), workflow: spec.name, specHash: spec.specHash, trigger: start.trigger,
                                      scheduledFor: start.scheduledFor, createdAt: now,
                                      steps: spec.steps.map { WorkflowRun.Step(name: $0.name) })
                try await store.startWorkflowRun(run, reason: start.reason, cancelling: start.cancels, at: now)
                lines.append("started \(run.id) of Workflow/\(spec.name) (\(start.trigger.rawValue): \(start.reason))")
            }
        }
        for run in try await store.workflowRuns(runningOnly: true) {
            guard let spec = desired.workflows[run.workflow] else {
                try await store.cancelWorkflowRun(id: run.id, reason: "the workflow was removed from the configuration", at: now)
                lines.append("cancelled \(run.id): Workflow/\(run.workflow) was removed from the configuration")
                continue
            }
            // Moved on until it settles: a step that ends can start the next in the same pass.
            var current = run
            for _ in 0..<(spec.steps.count + 1) {
                let progress = WorkflowRunPlanner().advance(current, spec: spec, observations: observations(of: current, spec: spec, snapshot: snapshot),
                                                            now: now)
                guard !progress.isEmpty else { break }
                try await store.recordWorkflowProgress(current, progress, at: now)
                for name in progress.started { lines.append("\(current.id) step \(name) started") }
                for (name, state, message) in progress.ended { lines.append("\(current.id) step \(name) \(state.rawValue): \(message)") }
                current = progress.applied(to: current, at: now)
                if let state = progress.runState { lines.append("\(current.id) of Workflow/\(spec.name) \(state.rawValue)") }
            }
        }
        return lines
    }

    /// What is observed of each running step of `run`.
    func observations(of run: WorkflowRun, spec: WorkflowSpec, snapshot: Snapshot) -> [String: WorkflowStepObservation] {
        var observations: [String: WorkflowStepObservation] = [:]
        for step in run.steps where step.state == .running {
            guard let stepSpec = spec.steps.first(where: { $0.name == step.name }) else { continue }
            switch stepSpec.work {
            case .provision(let fleet, _, _):
                let hash = snapshot.desired.fleets[fleet].flatMap { snapshot.desired.templates[$0.template] }?.specHash
                let machines = snapshot.machines.filter { $0.fleet == fleet }
                let ready = machines.filter { $0.state == .running && $0.templateHash == hash }.count
                let present = machines.filter { [.pending, .running, .unhealthy].contains($0.state) }.count
                let leaving = machines.filter { $0.state == .terminating }.count
                observations[step.name] = .machines(ready: ready, present: present, leaving: leaving)
            case .taskPool, .inlinePool, .run:
                // Every task the step's pool declares; one not in the journal yet is pending.
                let pool = run.poolName(of: step.name)
                let recorded = Dictionary(snapshot.tasks.filter { $0.pool == pool }.map { ($0.key, $0.state) }, uniquingKeysWith: { a, _ in a })
                let keys = snapshot.desired.pools[pool]?.tasks.map(\.key) ?? Array(recorded.keys)
                observations[step.name] = .tasks(keys.map { recorded[$0] ?? .pending })
            }
        }
        return observations
    }
}

extension Reconciler {
    /// The run step behind each fleet action: a started provision step of a running run
    /// whose count is the one the fleet has now. (Pool actions need no link: a step's pool
    /// is named for its run and step.)
    func workflowCauses(of scheduled: [ScheduledAction], desired: DesiredState) async throws -> [String: (run: String, step: String)] {
        let fleetActions = scheduled.filter { $0.action.resource.kind == .fleet }
        guard !fleetActions.isEmpty, !desired.workflows.isEmpty else { return [:] }
        var holders: [String: (run: String, step: String)] = [:]
        // The oldest run first: when runs overlap, the first one's count is the one in force.
        for run in try await store.workflowRuns(runningOnly: true).sorted(by: { $0.createdAt < $1.createdAt }) {
            guard let spec = desired.workflows[run.workflow] else { continue }
            let started = run.steps.filter { $0.startedAt != nil }.sorted { ($0.startedAt ?? .epoch) < ($1.startedAt ?? .epoch) }
            for step in started {
                guard case .provision(let fleet, let count, _)? = spec.steps.first(where: { $0.name == step.name })?.work,
                      desired.fleets[fleet]?.count == count, holders[fleet]?.run ?? run.id == run.id else { continue }
                holders[fleet] = (run.id, step.name)  // the latest started step of this run wins
            }
        }
        var causes: [String: (run: String, step: String)] = [:]
        for item in fleetActions { if let holder = holders[item.action.resource.name] { causes[item.id] = holder } }
        return causes
    }
}
