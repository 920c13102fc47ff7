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

    func run() async throws {
        try await Session.run(global) { session in
            let desired = try session.loadConfiguration().desired
            var snapshot = Snapshot(desired: desired)
            var planned: Plan?
            var problems: [Diagnostic] = []
            if let store = try session.openExistingStore() {
                let reconciler = session.reconciler(store)
                snapshot = try await reconciler.snapshot(of: desired)
                do { planned = try reconciler.plan(snapshot, allowEmpty: false).plan } catch let error as PlanFailure { problems = error.diagnostics }
            } else {
                do { planned = try Planner().plan(snapshot.planInput(allowEmpty: false)) } catch let error as PlanFailure { problems = error.diagnostics }
            }
            let report = StatusReport(desired: desired, machines: snapshot.machines, plan: planned,
                                      unreachableProviders: snapshot.observed.unreachableProviders, tasks: snapshot.tasks,
                                      unreachableSchedulers: snapshot.observed.unreachableSchedulers)
            if json {
                session.terminal.out(try JSONOutput.string(StatusDocument(report: report, problems: problems)))
                return .success
            }
            session.render(problems)
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
            session.terminal.out(report.rows.isEmpty ? "No resources." : table.rendered)
            return .success
        }
    }
}
