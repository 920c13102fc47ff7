internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecAPI

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Converge: plan (or take a saved plan), confirm, and carry it out.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("A plan saved by 'orbrec plan --out'; applied exactly, or refused (exit 4) if stale.", valueName: "planfile"))
    var planFile: String?

    @Flag(help: "Do not ask for confirmation.")
    var autoApprove = false

    @Flag(help: "After applying, wait until every resource is synced and healthy.")
    var wait = false

    @Option(help: "How long --wait waits.")
    var timeout: ConfigDuration = ConfigDuration(milliseconds: 600_000)

    @Option(help: "How many resources are changed at once.")
    var parallelism: Int = 10

    @Option(help: "How long to wait for the state lock.")
    var lockTimeout: ConfigDuration = ConfigDuration(milliseconds: 0)

    @Flag(help: "Allow a configuration with no resources to remove everything.")
    var allowEmpty = false

    @OptionGroup var surgery: SurgeryOptions

    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("Apply despite soft-mandatory policy violations; the reason and who gave it are journaled.",
                               valueName: "reason"))
    var policyOverride: String?

    func validate() throws {
        guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1") }
        if planFile != nil && !surgery.isEmpty {
            throw ValidationError("--target and --replace shape a new plan; a saved plan is applied as it was made (give them to 'orbrec plan --out')")
        }
        if wait && !surgery.targets.isEmpty {
            throw ValidationError("--wait converges the whole configuration; it cannot be combined with --target")
        }
        if output.format.isDocument && !autoApprove && planFile == nil {
            throw ValidationError("-o \(output.format.rawValue) prints a document, not a prompt: add --auto-approve (or apply a saved plan)")
        }
        if let policyOverride, policyOverride.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--policy-override needs a reason, e.g. --policy-override \"approved in CHG-1234\"")
        }
    }

    func run() async throws {
        // A saved plan names the configuration and the state it was made with.
        try await Session.run(planFile.map(global.applying(savedPlan:)) ?? global) { session in
            let desired = try session.loadConfiguration().desired
            let applyStarted = SystemClock().now()
            let store = try await session.openStore()
            // -o json|yaml: stdout is one document, the actions this apply journaled, however it
            // ends; the plan, progress and outcome lines go to stderr.
            if output.format.isDocument { Terminal.divertOutput() }
            return try await withCleanup {
                let lock = try await session.lock(store, operation: "apply", timeout: lockTimeout)
                return try await withCleanup {
                    // Ctrl-C before anything is carried out leaves at once, the lock released.
                    let interruption = Interruption(leave: { [terminal = session.terminal] in
                        terminal.endProgress()
                        terminal.err("\nInterrupted; nothing was applied.")
                        try? await store.unlock(id: lock.id)
                    })
                    defer { withExtendedLifetime(interruption) {} }
                    let reconciler = session.reconciler(store)
                    // Journaled only when something is carried out under it.
                    var overridden: Set<PolicyViolation> = []
                    let pass: ApplyPassResult
                    do {
                        let options = ApplyPassOptions(allowEmpty: allowEmpty, surgery: surgery.surgery, parallelism: parallelism,
                                                       shouldStop: { interruption.isInterrupted },
                                                       stopReason: "the apply was interrupted (SIGINT) before it started")
                        pass = try await reconciler.applyPass(desired: desired, options: options, progress: { event in
                            report(event, session)
                        }, choose: { current in
                            try await choose(from: current, store: store, reconciler: reconciler, session: session,
                                             interruption: interruption, overridden: &overridden)
                        })
                    } catch let failure as PlanFailure {
                        throw CommandFailure(.error, "no plan could be made; nothing was applied", diagnostics: failure.diagnostics)
                    } catch is ApplyCancelled {
                        session.terminal.out("Apply cancelled.")
                        return .error
                    }
                    if pass.stopped { return await interrupted(session, reconciler, store, desired: desired) }
                    let failed = pass.failed
                    if !pass.carriedOut.isEmpty {
                        session.terminal.out("\n" + session.terminal.bold("Apply complete:")
                            + " \(pass.outcomes.count - failed.count) action(s) succeeded, \(failed.count) failed.")
                    }
                    if !failed.isEmpty {
                        throw CommandFailure(.error, "\(failed.count) action(s) failed; see 'orbrec history' and 'orbrec get requests'")
                    }
                    let current = pass.planned
                    try failIfAdaptersWereUnobserved(current.plan)
                    if wait {
                        do {
                            let display = PoolProgressDisplay()
                            _ = try await reconciler.converge(desired: desired, allowEmpty: allowEmpty, parallelism: parallelism,
                                                              timeout: timeout, policyOverride: policyOverride,
                                                              alreadyOverridden: overridden, shouldStop: { interruption.isInterrupted }) { event in
                                report(event, session, pools: display)
                            }
                            display.end()
                            session.terminal.endProgress()
                            let final = try await reconciler.snapshot(of: desired)
                            let pools = desired.pools.values.filter { !desired.workflowPools.contains($0.name) }.sorted { $0.name < $1.name }
                                .map { pool in (pool.name, PoolProgress(pool: pool, tasks: final.tasks.filter { $0.pool == pool.name })) }
                            for (name, progress) in pools { session.terminal.out("TaskPool/\(name): \(progress.summary)") }
                            let dead = pools.reduce(0) { $0 + $1.1.dead }
                            if dead > 0 {
                                throw CommandFailure(.error, "\(dead) task(s) dead-lettered; see 'orbrec get tasks', then 'orbrec tasks requeue POOL --all-dead-letter'")
                            }
                            var failedRuns: [WorkflowRun] = []
                            for workflow in desired.workflows.keys {
                                failedRuns += try await store.workflowRuns(workflow: workflow)
                                    .filter { $0.state == .failed && $0.endedAt.map { $0 >= applyStarted } == true }
                            }
                            if !failedRuns.isEmpty {
                                throw CommandFailure(.error, failedRuns.map { run in
                                    let failed = run.steps.filter { $0.state == .failed }.map { "\($0.name) (\($0.message))" }
                                    return "workflow run \(run.id) of \(run.workflow) failed: \(failed.joined(separator: ", "))"
                                }.joined(separator: "; ") + "; see 'orbrec workflows show RUN'")
                            }
                            session.terminal.out(session.terminal.green("Converged:") + " every fleet is synced and healthy, every pool finished.")
                        } catch is ConvergeStopped {
                            return await interrupted(session, reconciler, store, desired: desired)
                        } catch let denied as PolicyDenied {
                            session.terminal.endProgress()
                            if let policies = PolicyRenderer(terminal: session.terminal).render(denied.report, override: policyOverride) {
                                session.terminal.out(policies)
                            }
                            throw CommandFailure(.policyDenied, "a policy denied a later pass of the apply; it stopped there")
                        } catch let timedOut as ConvergeTimeout {
                            session.terminal.endProgress()
                            let pending = timedOut.report.rows.filter { $0.sync != .synced || $0.health != .healthy }
                                .map { "\($0.id) (\($0.health.rawValue): \($0.message.isEmpty ? $0.observed : $0.message))" }
                            throw CommandFailure(.error, "not converged after \(timedOut.timeout): \(pending.joined(separator: "; "))")
                        }
                    }
                    if interruption.isInterrupted { return await interrupted(session, reconciler, store, desired: desired) }
                    return .success
                } cleanup: {
                    try? await store.unlock(id: lock.id)
                }
            } cleanup: {
                if output.format.isDocument { await printJournaled(store, since: applyStarted, session) }
            }
        }
    }

    /// Between the plan and its execution: the plan (or the saved one) shown, judged by the
    /// policies, confirmed; answers what to carry out. Throws `ApplyCancelled` on a "no".
    private func choose(from current: PlanResult, store: StateStore, reconciler: Reconciler, session: Session,
                        interruption: Interruption, overridden: inout Set<PolicyViolation>) async throws -> [ScheduledAction] {
        session.render(current.plan.warnings)
        let scheduled: [ScheduledAction]
        if let planFile {
            scheduled = try savedActions(planFile, current: current, stateID: store.stateID)
            for applied in scheduled where try await store.action(id: applied.id) != nil {
                throw CommandFailure(.stalePlan, "the saved plan was already applied (action \(applied.id) is in the journal); run 'orbrec plan' again")
            }
            session.terminal.out("Applying the saved plan \(planFile) (\(scheduled.count) action(s)).")
        } else {
            session.terminal.out(PlanRenderer(terminal: session.terminal).render(current))
            scheduled = current.scheduled
        }
        // A saved plan is judged by the actions it will carry out, as well as by the plan of now.
        var policy = current.policy
        if planFile != nil {
            let saved = Plan(actions: scheduled.map(\.action), resourceVersions: current.plan.resourceVersions,
                             configRevision: current.plan.configRevision)
            policy = policy.merged(with: Reconciler.checkPolicies(saved, snapshot: current.snapshot))
        }
        if let policies = PolicyRenderer(terminal: session.terminal).render(policy, override: policyOverride) {
            session.terminal.out("\n" + policies)
        }
        if policy.blocks(overridden: policyOverride != nil) {
            throw CommandFailure(.policyDenied, "a policy denied the plan; nothing was applied")
        }
        if planFile == nil && !scheduled.isEmpty && !autoApprove {
            guard confirm(session) else { throw ApplyCancelled() }
        }
        interruption.carryingOut { [terminal = session.terminal] in
            terminal.endProgress()
            terminal.err("\nInterrupted: starting nothing more; what is in flight finishes. Ctrl-C again leaves at once.")
            // Ends a wait between passes now rather than at its end.
            Session.attemptEnds.requestLook()
        }
        if let policyOverride, !scheduled.isEmpty, policy.blocking.contains(where: \.isOverridable) {
            try await reconciler.recordPolicyOverride(policy, reason: policyOverride, configRevision: current.plan.configRevision)
            overridden = Set(policy.blocking.filter(\.isOverridable))
        }
        return scheduled
    }

    /// The actions of a saved plan, refused when any resource they touch has changed since.
    private func savedActions(_ path: String, current: PlanResult, stateID: String) throws -> [ScheduledAction] {
        let document: PlanDocument
        do {
            document = try JSONDecoder().decode(PlanDocument.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw CommandFailure(.error, "cannot read the saved plan \(path): \(error.localizedDescription)")
        }
        guard document.formatVersion == PlanDocument.currentFormat else {
            throw CommandFailure(.error, "the saved plan has format \(document.formatVersion); this orbrec reads \(PlanDocument.currentFormat)")
        }
        guard document.stateID == stateID else {
            throw CommandFailure(.stalePlan, "the saved plan was made for state \(document.stateID), not this state (\(stateID))")
        }
        let scheduled: [ScheduledAction]
        do {
            scheduled = try document.scheduledActions()
        } catch {
            throw CommandFailure(.error, error.message)
        }
        var changed: [String] = []
        for resource in Set(scheduled.map(\.action.resource)).sorted() {
            let then = document.resourceVersions[resource.description]
            let now = current.plan.resourceVersions[resource]
            if then != now { changed.append(resource.description) }
        }
        if !changed.isEmpty {
            throw CommandFailure(.stalePlan, "the saved plan is stale: \(changed.joined(separator: ", ")) changed since it was made; "
                + "run 'orbrec plan' again")
        }
        return scheduled
    }

    private func confirm(_ session: Session) -> Bool {
        session.terminal.out("\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n")
        FileHandle.standardOutput.write(Data("  Enter a value: ".utf8))
        return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
    }
}

/// One line per finished action; a rewritten progress line while waiting; while pools move on
/// events (`display`), one live line per pool instead of a line per submission.
private func report(_ event: ApplyProgress, _ session: Session, pools display: PoolProgressDisplay? = nil) {
    switch event {
    case .pools(let counts):
        display?.show(counts)
    case .finished(let outcome) where display?.isShowing == true && outcome.succeeded && outcome.action.resource.kind == .taskPool
        && [.submit, .retry].contains(outcome.action.verb):
        session.logger.info("action succeeded", [("id", outcome.id), ("verb", outcome.action.verb.rawValue),
                                                 ("resource", outcome.action.resource.description), ("message", outcome.message)])
    case .waiting where display?.isShowing == true:
        break
    case .started(let item):
        session.logger.info("action started", [("id", item.id), ("verb", item.action.verb.rawValue),
                                               ("resource", item.action.resource.description)])
    case .finished(let outcome):
        display?.end()
        session.terminal.endProgress()
        let mark = outcome.succeeded ? session.terminal.green("✓") : session.terminal.red("✗")
        let requests = outcome.requests.isEmpty ? "" : " [\(outcome.requests.joined(separator: ", "))]"
        session.terminal.out("\(mark) \(outcome.action.verb.rawValue) \(outcome.action.resource): \(outcome.message)\(requests)")
    case .recovered(let text):
        session.terminal.note(text)
    case .note(let text):
        display?.end()
        session.terminal.endProgress()
        session.terminal.out("• \(text)")
    case .waiting(let status):
        let fleets = status.rows.filter { $0.id.kind == .fleet }
        let pools = status.rows.filter { $0.id.kind == .taskPool }
        let ready = fleets.filter { $0.health == .healthy && $0.sync == .synced }.count
        let finished = pools.filter { $0.sync == .synced }.count
        let detail = (fleets + pools).filter { $0.sync != .synced || ($0.id.kind == .fleet && $0.health != .healthy) }.prefix(3)
            .map { "\($0.id.name) \($0.observed)" }.joined(separator: "; ")
        var parts: [String] = []
        if !fleets.isEmpty { parts.append("\(ready)/\(fleets.count) fleet(s) converged") }
        if !pools.isEmpty { parts.append("\(finished)/\(pools.count) pool(s) finished") }
        session.terminal.progress("waiting: \(parts.joined(separator: ", "))\(detail.isEmpty ? "" : " — \(detail)")")
    }
}

/// The user answered something other than "yes": nothing was carried out.
private struct ApplyCancelled: Error {}
