internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore

/// `terraform destroy`: plan returning every machine and cancelling every unfinished task the
/// state holds, show it, ask, carry it out. It plans as `apply --allow-empty` does with an
/// empty configuration, so it works even when the configuration no longer loads.
struct DestroyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy", abstract: "Return every machine and cancel every task the state holds, after confirmation.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Do not ask for confirmation (needed without a terminal).")
    var autoApprove = false

    @Option(name: .customLong("target"),
            help: ArgumentHelp("Destroy only this fleet or pool (repeatable).", valueName: "kind/name"))
    var targets: [String] = []

    @Option(help: "How many resources are changed at once.")
    var parallelism: Int = 10

    @Option(help: "How long to wait for the state lock.")
    var lockTimeout: ConfigDuration = ConfigDuration(milliseconds: 0)

    func validate() throws {
        guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1") }
        for target in targets where ResourceID(parsing: target) == nil {
            throw ValidationError("--target \(target): expected KIND/NAME, e.g. Fleet/workers")
        }
    }

    func run() async throws {
        try await Session.run(global) { session in
            guard let store = try await session.openExistingStore() else {
                session.terminal.out("Nothing to destroy: \(session.noStateMessage).")
                return .success
            }
            // Refused before the lock and the providers are touched: nothing may start unasked.
            if !autoApprove && !session.terminal.stdinIsTerminal {
                throw CommandFailure(.error, "destroy asks for confirmation and standard input is not a terminal; "
                    + "run it in a terminal, or pass --auto-approve")
            }
            let lock = try await session.lock(store, operation: "destroy", timeout: lockTimeout)
            return try await withCleanup {
                let reconciler = session.reconciler(store)
                let surgery = PlanSurgery(targets: Set(targets.compactMap { ResourceID(parsing: $0) }), destroy: true)
                // Machine requests go with everything else (the targeted ones with --target).
                let requests = targets.isEmpty ? nil : targets.compactMap { ResourceID(parsing: $0) }.filter { $0.kind == .fleet }.map(\.name)
                // The state forgets what it no longer holds; a targeted destroy leaves the rest as applied.
                let options = ApplyPassOptions(allowEmpty: true, surgery: surgery, parallelism: parallelism, recordsApplied: targets.isEmpty)
                let pass: ApplyPassResult
                do {
                    pass = try await reconciler.applyPass(desired: DesiredState(), options: options, progress: { event in
                        switch event {
                        case .recovered(let line):
                            session.terminal.note(line)
                        case .note(let note):
                            session.terminal.out("• \(note)")
                        case .finished(let outcome):
                            let mark = outcome.succeeded ? session.terminal.green("✓") : session.terminal.red("✗")
                            session.terminal.out("\(mark) \(outcome.action.verb.rawValue) \(outcome.action.resource): \(outcome.message)")
                        case .started, .waiting, .pools:
                            break
                        }
                    }, choose: { result in
                        session.render(result.plan.warnings)
                        if result.plan.isEmpty {
                            try await reconciler.closeRequests(requests)
                            return []
                        }
                        session.terminal.out(PlanRenderer(terminal: session.terminal).render(result))
                        if !autoApprove {
                            session.terminal.out("\nDo you really want to destroy everything the state holds?\n"
                                + "  Every machine listed is returned and every task cancelled. Only 'yes' will be accepted to confirm.\n")
                            FileHandle.standardOutput.write(Data("  Enter a value: ".utf8))
                            guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else { throw DestroyCancelled() }
                        }
                        try await reconciler.closeRequests(requests)
                        return result.scheduled
                    })
                } catch let failure as PlanFailure {
                    throw CommandFailure(.error, "no destroy plan could be made; nothing was changed", diagnostics: failure.diagnostics)
                } catch is DestroyCancelled {
                    session.terminal.out("Destroy cancelled.")
                    return .error
                }
                let result = pass.planned
                if result.plan.isEmpty {
                    session.terminal.out(session.terminal.green("No changes.") + " The state holds no machine and no unfinished task.")
                    return .success
                }
                let failed = pass.failed
                session.terminal.out("\n" + session.terminal.bold("Destroy complete:")
                    + " \(pass.outcomes.count - failed.count) action(s) succeeded, \(failed.count) failed.")
                if !failed.isEmpty {
                    throw CommandFailure(.error, "\(failed.count) action(s) failed; see 'orbrec history' and 'orbrec get requests'")
                }
                try failIfAdaptersWereUnobserved(result.plan)
                return .success
            } cleanup: {
                try? await store.unlock(id: lock.id)
            }
        }
    }
}

/// The user answered something other than "yes": nothing was destroyed.
private struct DestroyCancelled: Error {}
