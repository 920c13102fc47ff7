internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecEngine
internal import OrbrecAPI

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Preview what apply would do, and why.")

    @OptionGroup var global: GlobalOptions

    /// `-o json` (or `--json`, `-o yaml`): the plan document (format documented in docs/cli.md).
    @OptionGroup var output: OutputOptions
    var json: Bool { output.format.isDocument }

    @Option(help: ArgumentHelp("Save the plan to apply it later with 'orbrec apply FILE'.", valueName: "file"))
    var out: String?

    @Flag(help: "Exit 2 when the plan has changes, 0 when it has none.")
    var detailedExitcode = false

    @Option(help: "Ask the providers for what they hold (true) or trust the journal (false).")
    var refresh: Bool = true

    @Flag(help: "Allow a configuration with no resources to remove everything.")
    var allowEmpty = false

    @OptionGroup var surgery: SurgeryOptions

    @Option(help: ArgumentHelp("Preview the plan as 'apply --policy-override' would judge it: soft-mandatory violations do not fail it.",
                               valueName: "reason"))
    var policyOverride: String?

    func validate() throws {
        if let policyOverride, policyOverride.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--policy-override needs a reason, e.g. --policy-override \"approved in CHG-1234\"")
        }
    }

    func run() async throws {
        try await Session.run(global) { session in
            let desired = try session.loadConfiguration().desired
            let store = try await session.openStore()
            let reconciler = session.reconciler(store)
            let interrupted = try await store.interruptedActions()
            if !interrupted.isEmpty, !(try await reconcilerHoldsLiveLock(store)) {
                session.terminal.note("\(interrupted.count) action(s) were interrupted (\(interrupted.map(\.id).joined(separator: ", "))); "
                    + "their machines and tasks show as pending or running until the next apply recovers them")
            }
            let snapshot = try await reconciler.snapshot(of: desired, refresh: refresh)
            let result: PlanResult
            do throws(PlanFailure) {
                result = try reconciler.plan(snapshot, allowEmpty: allowEmpty, surgery: surgery.surgery)
            } catch {
                throw CommandFailure(.error, "no plan could be made", diagnostics: error.diagnostics)
            }
            session.render(result.plan.warnings)
            var document = PlanDocument(result, stateID: store.stateID, policyOverride: policyOverride)
            document.config = StateLocation.absolute(global.config)
            document.state = global.stateShown
            let runs = try await PlanDocument.workflowRuns(reconciler, configured: desired)
            if !desired.workflows.isEmpty { document.workflowRuns = runs }
            if json {
                try session.terminal.document(document, as: output.format)
            } else {
                session.terminal.out(PlanRenderer(terminal: session.terminal).render(result))
                for run in runs {
                    session.terminal.out(run.started ? "Workflow/\(run.workflow): a run would start (\(run.trigger ?? ""): \(run.reason))"
                                                     : "Workflow/\(run.workflow): \(run.reason)")
                }
                if let policies = PolicyRenderer(terminal: session.terminal).render(result.policy, override: policyOverride) {
                    session.terminal.out("\n" + policies)
                }
            }
            if let out {
                do {
                    try JSONOutput.string(document).write(toFile: out, atomically: true, encoding: .utf8)
                } catch {
                    throw CommandFailure(.error, "cannot write the plan to \(out): \(error.localizedDescription)")
                }
                // Absolute: the plan names its configuration and state, so this works from anywhere.
                let saved = StateLocation.absolute(out)
                if !json { session.terminal.out("\nSaved the plan to \(saved). Apply exactly these actions with: orbrec apply \(saved)") }
            }
            try failIfAdaptersWereUnobserved(result.plan)
            if result.policy.blocks(overridden: policyOverride != nil) { return .policyDenied }
            let runsToStart = runs.contains { $0.started }
            return detailedExitcode && (!result.plan.hasNoChanges || runsToStart) ? .changesPresent : .success
        }
    }
}

/// Whether the state lock is held by a process that still runs (an apply in progress), in
/// which case `issuing` actions are in flight rather than interrupted.
private func reconcilerHoldsLiveLock(_ store: StateStore) async throws -> Bool {
    guard let holder = try await store.currentLock() else { return false }
    return !Session.holderIsGone(holder)
}
