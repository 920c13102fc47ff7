/// One row per resource: what is desired, what is observed, whether they agree, and health.
/// Derived only from data, so `status`, the journal's conditions and the API agree.
public struct StatusReport: Sendable, Hashable {
    public enum Sync: String, Sendable, Codable {
        case synced = "Synced"
        case outOfSync = "OutOfSync"
        case unknown = "Unknown"
    }

    public enum Health: String, Sendable, Codable {
        case healthy = "Healthy"
        case progressing = "Progressing"
        case degraded = "Degraded"
        case missing = "Missing"
        case unknown = "Unknown"
    }

    public struct Row: Sendable, Hashable, Codable {
        public var id: ResourceID
        public var desired: String
        public var observed: String
        public var sync: Sync
        public var health: Health
        public var message: String
    }

    public var rows: [Row]
    /// Slots used and free of each scheduler that could tell, when they were asked (`show`).
    public var schedulerSlots: [SchedulerSlots] = []

    /// - Parameters:
    ///   - desired: the desired state with the running workflow runs applied (their fleet counts
    ///     and pools); the pools workflow steps refer to are shown as patterns either way.
    ///   - workflowRuns: every run of the configuration's workflows, any state: with them, one
    ///     row per workflow (nil: the runs were not read, and workflows get no row).
    ///   - dueWorkflows: why a run of a workflow is due to start (its triggers), by workflow.
    public init(desired: DesiredState, machines: [FleetMachine], plan: Plan?, unreachableProviders: [String: String],
                tasks: [TaskStatus] = [], unreachableSchedulers: [String: String] = [:],
                workflowRuns: [WorkflowRun]? = nil, dueWorkflows: [String: String] = [:]) {
        let planned = Dictionary(grouping: plan?.actions ?? [], by: \.resource)
        let byFleet = Dictionary(grouping: machines, by: \.fleet)
        var rows: [Row] = []
        func sync(_ id: ResourceID) -> Sync {
            guard plan != nil else { return .unknown }
            return planned[id] == nil ? .synced : .outOfSync
        }

        for provider in desired.providers.values.sorted(by: { $0.name < $1.name }) {
            let problem = unreachableProviders[provider.name]
            rows.append(Row(id: provider.id, desired: provider.type.rawValue,
                            observed: problem == nil ? "reachable" : "unreachable",
                            sync: .synced, health: problem == nil ? .healthy : .degraded, message: problem ?? ""))
        }
        for template in desired.templates.values.sorted(by: { $0.name < $1.name }) {
            let using = machines.filter { $0.fleet != "" && desired.fleets[$0.fleet]?.template == template.name && $0.state.isHeld }
            let outdated = using.filter { $0.templateHash != template.specHash }.count
            rows.append(Row(id: template.id, desired: template.maxMachines.map { "max \($0)" } ?? "-",
                            observed: "\(using.count) machine(s)", sync: outdated == 0 ? .synced : .outOfSync,
                            health: .healthy, message: outdated == 0 ? "" : "\(outdated) machine(s) of an older version"))
        }
        let fleetNames = Set(desired.fleets.keys).union(byFleet.keys)
        for name in fleetNames.sorted() {
            let id = ResourceID(.fleet, name)
            let fleetMachines = byFleet[name] ?? []
            let count = { (state: MachineState) in fleetMachines.filter { $0.state == state }.count }
            let running = count(.running), pending = count(.pending), lost = count(.lost)
            let unhealthy = count(.unhealthy), terminating = count(.terminating)
            var parts = ["\(running) running"]
            for (number, word) in [(pending, "pending"), (unhealthy, "unhealthy"), (lost, "lost"), (terminating, "terminating")] where number > 0 {
                parts.append("\(number) \(word)")
            }
            let observed = parts.joined(separator: ", ")
            guard let fleet = desired.fleets[name] else {
                rows.append(Row(id: id, desired: "absent", observed: observed, sync: sync(id), health: .unknown,
                                message: "removed from the configuration; \(fleetMachines.count) machine(s) to return"))
                continue
            }
            let provider = desired.templates[fleet.template]?.provider ?? ""
            let health: Health
            var message = ""
            if let problem = unreachableProviders[provider] {
                health = .unknown
                message = "provider \(provider) unreachable: \(problem)"
            } else if lost > 0 || unhealthy > 0 {
                health = .degraded
                message = "\(lost + unhealthy) machine(s) lost or unhealthy"
            } else if running == fleet.count && pending == 0 && terminating == 0 {
                health = .healthy
            } else if running == 0 && pending == 0 && fleet.count > 0 {
                health = .missing
                message = "no machines"
            } else {
                health = .progressing
                message = "\(running)/\(fleet.count) running"
            }
            if let actions = planned[id], message.isEmpty {
                message = actions.map { "\($0.verb.rawValue) \($0.units) (\($0.reason.code))" }.joined(separator: ", ")
            }
            rows.append(Row(id: id, desired: "\(fleet.count)", observed: observed, sync: sync(id), health: health, message: message))
        }
        for scheduler in desired.schedulers.values.sorted(by: { $0.name < $1.name }) {
            let problem = unreachableSchedulers[scheduler.name]
            rows.append(Row(id: scheduler.id, desired: scheduler.type.rawValue + (scheduler.effectiveSlots.map { ", \($0) slots" } ?? ""),
                            observed: problem == nil ? "reachable" : "unreachable", sync: .synced,
                            health: problem == nil ? .healthy : .degraded, message: problem ?? ""))
        }
        let tasksByPool = Dictionary(grouping: tasks, by: \.pool)
        let patterns = desired.workflowPools
        for pool in desired.pools.values.sorted(by: { $0.name < $1.name }) {
            // A pool a step refers to does not run on its own: each run runs a copy of it.
            if patterns.contains(pool.name) {
                rows.append(Self.patternRow(pool, desired: desired))
                continue
            }
            let progress = PoolProgress(pool: pool, tasks: tasksByPool[pool.name] ?? [])
            let health: Health = progress.dead > 0 ? .degraded : progress.isFinished ? .healthy : .progressing
            rows.append(Row(id: pool.id, desired: "\(progress.total) task(s)", observed: progress.summary,
                            sync: progress.isFinished ? .synced : .outOfSync, health: health,
                            message: progress.dead > 0 ? "\(progress.dead) dead-lettered: orbrec tasks requeue \(pool.name) --all-dead-letter" : ""))
        }
        let runsByWorkflow = Dictionary(grouping: workflowRuns ?? [], by: \.workflow)
        for workflow in desired.workflows.values.sorted(by: { $0.name < $1.name }) where workflowRuns != nil {
            rows.append(Self.workflowRow(workflow, runs: runsByWorkflow[workflow.name] ?? [], due: dueWorkflows[workflow.name]))
        }
        self.rows = rows
    }

    /// Everything synced and healthy. A pool counts when it is finished, even with dead
    /// letters, and a workflow when its runs ended, even when the last one failed.
    public var isConverged: Bool {
        rows.allSatisfy { row in
            row.sync == .synced && (row.health == .healthy || ([.taskPool, .workflow].contains(row.id.kind) && row.health == .degraded))
        }
    }
}
