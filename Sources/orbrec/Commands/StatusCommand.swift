internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecEngine
internal import OrbrecServer

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "One row per resource: desired, observed, sync, health and message.")

    @OptionGroup var global: GlobalOptions

    @OptionGroup var output: OutputOptions
    var json: Bool { output.format.isDocument }

    @Flag(name: [.customShort("w"), .long], help: "Show it again whenever it changes, until Ctrl-C.")
    var watch = false

    func run() async throws {
        try await Session.run(global) { session in
            let desired = try session.loadConfiguration().desired
            if watch {
                let watcher = Watcher(terminal: session.terminal, session: session, title: "orbrec status", refresh: .seconds(5))
                return try await watcher.run { store in try await rendered(session, desired: desired, store: store, watching: true) }
            }
            session.terminal.out(try await rendered(session, desired: desired, store: try await session.openJournal(), watching: false))
            return .success
        }
    }

    /// The report as printed. Problems go to stderr, or into the text while watching (where
    /// each redraw would repeat them below the table).
    private func rendered(_ session: Session, desired: DesiredState, store: StateStore?, watching: Bool) async throws -> String {
        var snapshot = Snapshot(desired: desired.applying([]))
        var planned: Plan?
        var problems: [Diagnostic] = []
        var runs: [WorkflowRun] = []
        var due: [String: String] = [:]
        if let store {
            let reconciler = session.reconciler(store)
            snapshot = try await reconciler.snapshot(of: desired)
            do { planned = try reconciler.plan(snapshot, allowEmpty: false).plan } catch { problems = error.diagnostics }
            runs = try await store.workflowRuns()
            for (workflow, decision) in try await reconciler.dueWorkflowRuns(desired) {
                due[workflow] = (decision.starts.map(\.reason) + decision.held).joined(separator: "; ")
            }
        } else {
            do { planned = try Planner().plan(snapshot.planInput(allowEmpty: false)) } catch { problems = error.diagnostics }
            for workflow in desired.workflows.values {
                let decision = WorkflowTriggers().decide(workflow, runs: [], since: SystemClock().now(), now: SystemClock().now())
                if let start = decision.starts.first { due[workflow.name] = start.reason }
            }
        }
        // The desired state the running runs make (their fleet counts, their pools), as apply sees it.
        // Machine requests are fleets of their own beside the files' (the snapshot's desired state holds them).
        var shown = desired.forStatus(runs)
        for (name, fleet) in snapshot.desired.fleets where snapshot.desired.isRequestFleet(name) { shown.fleets[name] = fleet }
        // So are the tasks posted to api pools.
        for name in shown.apiPools { shown.pools[name] = snapshot.desired.pools[name] ?? shown.pools[name] }
        let report = StatusReport(desired: shown, machines: snapshot.machines, plan: planned,
                                  unreachableProviders: snapshot.observed.unreachableProviders, tasks: snapshot.tasks,
                                  unreachableSchedulers: snapshot.observed.unreachableSchedulers, workflowRuns: runs, dueWorkflows: due)
        if json { return try StructuredOutput.string(StatusDocument(report: report, problems: problems), as: output.format) }
        var lines: [String] = []
        if watching {
            lines = problems.map { "\($0.location.map { "\($0): " } ?? "")\($0.severity == .error ? "error" : "warning"): \($0.message)" }
        } else {
            session.render(problems)
        }
        var table = Table("RESOURCE", "DESIRED", "OBSERVED", "SYNC", "HEALTH", "MESSAGE")
        for row in report.rows {
            let sync = row.sync == .synced ? session.terminal.green(row.sync.rawValue) : session.terminal.yellow(row.sync.rawValue)
            let health = switch row.health {
            case .healthy: session.terminal.green(row.health.rawValue)
            case .degraded, .missing: session.terminal.red(row.health.rawValue)
            default: session.terminal.yellow(row.health.rawValue)
            }
            table.add(row.id.description, row.desired, row.observed, sync, health, row.message)
        }
        lines.append(report.rows.isEmpty ? "No resources." : table.rendered)
        return lines.joined(separator: "\n")
    }
}
