internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecEngine

struct MachinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machines", abstract: "Machine operations.", subcommands: [Return.self])

    struct Return: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Return machines now. Their fleet replaces them at the next apply unless its count drops.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Machine ids.", completion: ResourceCompletion.kind(.machine))
        var ids: [String]

        @Option(help: "How long to wait for the state lock.")
        var lockTimeout: ConfigDuration = ConfigDuration(milliseconds: 0)

        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Return despite soft-mandatory policy violations; journaled with who and why.", valueName: "reason"))
        var policyOverride: String?

        func validate() throws {
            if let policyOverride, policyOverride.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--policy-override needs a reason")
            }
        }

        func run() async throws {
            try await Session.run(global) { session in
                let desired = try session.loadConfiguration().desired
                guard let store = try await session.openExistingStore() else { throw CommandFailure(.error, session.noStateMessage) }
                let lock = try await session.lock(store, operation: "machines return", timeout: lockTimeout)
                return try await withCleanup {
                    let reconciler = session.reconciler(store)
                    for line in try await reconciler.recoverInterrupted(desired: desired) { session.terminal.note(line) }
                    let snapshot = try await reconciler.snapshot(of: desired, sync: true)
                    let held = Dictionary(snapshot.recorded.filter { $0.state.isHeld || $0.state == .lost }.map { ($0.id, $0) },
                                          uniquingKeysWith: { first, _ in first })
                    let unknown = ids.filter { held[$0] == nil }
                    guard unknown.isEmpty else {
                        throw CommandFailure(.error, "not a machine this state holds: \(unknown.joined(separator: ", "))")
                    }
                    let grouped = Dictionary(grouping: ids.compactMap { held[$0] }, by: { "\($0.fleet)\u{0}\($0.provider)" })
                    let scheduled = grouped.keys.sorted().map { key in
                        let machines = grouped[key] ?? []
                        return ScheduledAction(PlannedAction(
                            verb: .return, resource: ResourceID(.fleet, machines[0].fleet), reason: .manualReturn,
                            provider: machines[0].provider, template: machines[0].template, templateHash: machines[0].templateHash,
                            machines: machines.map(\.id).sorted()))
                    }
                    // A manual return is a plan of its own: plan rules (no mass return) judge it too.
                    let plan = Plan(actions: scheduled.map(\.action), configRevision: desired.revision)
                    let policy = Reconciler.checkPolicies(plan, snapshot: snapshot)
                    // With -o json or yaml, stdout is the outcomes document alone.
                    let say = output.format.isDocument ? session.terminal.err : session.terminal.out
                    if let rendered = PolicyRenderer(terminal: session.terminal).render(policy, override: policyOverride), !policy.violations.isEmpty {
                        say(rendered)
                    }
                    if policy.blocks(overridden: policyOverride != nil) {
                        throw CommandFailure(.policyDenied, "a policy denied the return; nothing was returned")
                    }
                    if let policyOverride, policy.blocking.contains(where: \.isOverridable) {
                        try await reconciler.recordPolicyOverride(policy, reason: policyOverride, configRevision: desired.revision)
                    }
                    let outcomes = try await reconciler.execute(scheduled, snapshot: snapshot, parallelism: 4)
                    if output.format.isDocument {
                        try session.terminal.document(OutcomesDocument(outcomes), as: output.format)
                        return outcomes.allSatisfy(\.succeeded) ? .success : .error
                    }
                    for outcome in outcomes {
                        let mark = outcome.succeeded ? session.terminal.green("✓") : session.terminal.red("✗")
                        session.terminal.out("\(mark) return \(outcome.action.detail): \(outcome.message) [\(outcome.requests.joined(separator: ", "))]")
                    }
                    return outcomes.allSatisfy(\.succeeded) ? .success : .error
                } cleanup: {
                    try? await store.unlock(id: lock.id)
                }
            }
        }
    }
}
