internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecEngine
internal import OrbrecAPI

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
        let view = if let store {
            try await session.reconciler(store).status(of: desired)
        } else {
            Reconciler.status(withoutState: desired, now: SystemClock().now())
        }
        var report = view.report
        let problems = view.problems
        // Each scheduler's used and free slots, asked of the schedulers now (not journaled).
        if let store, let slots = try? await session.reconciler(store).schedulerSlots(of: desired) {
            report.show(slots.items.map(\.item))
        }
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
