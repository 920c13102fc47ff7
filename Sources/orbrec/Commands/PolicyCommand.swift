internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecSpec
internal import OrbrecStore

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Check the configuration against its policies; list the overrides.",
        subcommands: [TestCommand.self, OverridesCommand.self])

    struct TestCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Evaluate the policies against a configuration without asking any provider or scheduler.",
            discussion: """
                Resource rules see each desired resource; plan rules see the plan the journal alone would give \
                (like 'plan --refresh=false'; an empty state when there is none). Exits 3 when a blocking rule fails.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The configuration directory (default: -c, else .).", valueName: "dir"))
        var directory: String?

        @OptionGroup var output: OutputOptions

        func run() async throws {
            var options = global
            if let directory { options.config = directory }
            try await Session.run(options) { session in
                let desired = try session.loadConfiguration().desired
                let snapshot: Snapshot
                if let store = try await session.openExistingStore() {
                    snapshot = try await session.reconciler(store).snapshot(of: desired, refresh: false)
                } else {
                    snapshot = Snapshot(desired: desired)
                }
                let plan: Plan
                do throws(PlanFailure) {
                    plan = try Planner().plan(snapshot.planInput(allowEmpty: true))
                } catch {
                    throw CommandFailure(.error, "no plan could be made", diagnostics: error.diagnostics)
                }
                let report = Reconciler.checkPolicies(plan, snapshot: snapshot)
                if output.format.isDocument {
                    try session.terminal.document(PolicyTestDocument(report), as: output.format)
                } else {
                    session.terminal.out(PolicyTestRenderer(terminal: session.terminal).render(report, desired: desired))
                }
                return report.blocks(overridden: false) ? .policyDenied : .success
            }
        }
    }

    struct OverridesCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "overrides", abstract: "The journaled --policy-override uses, newest first.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "At most this many.")
        var limit: Int = 50

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Session.run(global) { session in
                let rows = try await session.openJournal()?.policyOverrides(limit: limit) ?? []
                if output.format.isDocument {
                    try session.terminal.document(rows.map(PolicyOverrideDocument.init), as: output.format)
                    return .success
                }
                guard !rows.isEmpty else {
                    session.terminal.out("No policy overrides.")
                    return .success
                }
                var table = Table("TIME", "POLICY", "RULE AND SUBJECT", "WAS", "WHO AND WHY")
                for row in rows {
                    table.add(Format.time(row.at), row.resource, row.subject, row.fromState ?? "", row.cause)
                }
                session.terminal.out(table.rendered)
                return .success
            }
        }
    }
}

/// `policy overrides --json`: one journaled override.
struct PolicyOverrideDocument: Codable {
    var at: String
    var policy: String
    var subject: String
    var level: String
    var cause: String

    init(_ event: EventRecord) {
        at = Format.time(event.at)
        policy = event.resource
        subject = event.subject
        level = event.fromState ?? ""
        cause = event.cause
    }
}
