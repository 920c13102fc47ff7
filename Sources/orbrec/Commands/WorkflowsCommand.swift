internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecSpec

struct WorkflowsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflows", abstract: "The configuration's workflows.",
        subcommands: [ListCommand.self])

    struct ListCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Each workflow: its steps, trigger, concurrency and when its schedule next comes due (UTC).")

        @OptionGroup var global: GlobalOptions

        @Option(name: [.customShort("o"), .long], help: "table or json")
        var output: String = "table"

        func validate() throws {
            guard ["table", "json"].contains(output) else { throw ValidationError("-o must be table or json") }
        }

        func run() async throws {
            try await Session.run(global) { session in
                let desired = try session.loadConfiguration().desired
                let now = SystemClock().now()
                let rows = desired.workflows.values.sorted { $0.name < $1.name }.map { WorkflowDocument($0, now: now) }
                if output == "json" {
                    session.terminal.out(try JSONOutput.string(rows))
                    return .success
                }
                var table = Table("NAME", "STEPS", "TRIGGER", "CONCURRENCY", "NEXT SCHEDULED (UTC)")
                for row in rows {
                    let trigger = [row.onChange ? "on change" : nil, row.schedule.map { "schedule \($0)" }].compactMap { $0 }
                    table.add(row.name, "\(row.steps.count)", trigger.isEmpty ? "manual" : trigger.joined(separator: ", "), row.concurrency,
                              row.nextScheduledAt.map { Format.time(Instant(millisecondsSinceEpoch: $0)) } ?? "-")
                }
                session.terminal.out(rows.isEmpty ? "No workflows." : table.rendered)
                if !rows.isEmpty {
                    session.terminal.err("note: workflows are validated and drawn ('orbrec graph NAME') but not run by this version of orbrec yet")
                }
                return .success
            }
        }
    }
}

/// `workflows list -o json`: one workflow.
struct WorkflowDocument: Encodable {
    var name: String
    var steps: [String]
    var onChange: Bool
    var schedule: String?
    var concurrency: String
    var nextScheduledAt: Int64?

    enum CodingKeys: String, CodingKey {
        case name, steps, schedule, concurrency
        case onChange = "on_change"
        case nextScheduledAt = "next_scheduled_at"
    }

    init(_ workflow: WorkflowSpec, now: Instant) {
        name = workflow.name
        steps = WorkflowGraph(workflow.steps).order ?? workflow.steps.map(\.name)
        onChange = workflow.trigger.onChange
        schedule = workflow.trigger.schedule?.expression
        concurrency = workflow.concurrency.rawValue
        nextScheduledAt = workflow.trigger.schedule?.next(after: now)?.millisecondsSinceEpoch
    }
}
