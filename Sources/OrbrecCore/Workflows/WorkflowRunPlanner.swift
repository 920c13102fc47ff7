/// Decides how a run moves on: pure, from the workflow's spec, the run's records and what
/// is observed of its running steps.
///
/// - A running step ends: a provision step when its fleet has reached `count` — no more
///   machines than that and none still being returned, and `count` of them ready with
///   `waitReady` (or merely present without); a pool step when every task completed (succeeded) or when
///   none is left to run and one did not complete (failed); any step when its `timeout`
///   has passed (failed).
/// - A pending step starts once every step it needs has ended: an ordinary step only if
///   they all succeeded (else it is skipped), an `always` step whatever they ended as.
/// - The run ends when every step has: succeeded if every step succeeded, `always` steps
///   included, failed otherwise. A cancelled run starts nothing more.
public struct WorkflowRunPlanner: Sendable {
    public init() {}

    public func advance(_ run: WorkflowRun, spec: WorkflowSpec, observations: [String: WorkflowStepObservation],
                        now: Instant) -> WorkflowProgress {
        var progress = WorkflowProgress()
        guard !run.state.isFinished else { return progress }
        var states = Dictionary(run.steps.map { ($0.name, $0.state) }, uniquingKeysWith: { first, _ in first })
        let specs = Dictionary(spec.steps.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

        for step in run.steps where step.state == .running {
            guard let stepSpec = specs[step.name] else {
                progress.ended.append((step.name, .failed, "the step is no longer in the workflow"))
                states[step.name] = .failed
                continue
            }
            if let timeout = stepSpec.timeout, let started = step.startedAt, now >= started.adding(timeout) {
                progress.ended.append((step.name, .failed, "timed out after \(timeout)"))
                states[step.name] = .failed
                continue
            }
            if let end = ending(of: stepSpec, observation: observations[step.name]) {
                progress.ended.append((step.name, end.0, end.1))
                states[step.name] = end.0
            }
        }

        // Steps start in the order they are written once their needs have ended; a step
        // skipped makes the steps that need it skipped in the same look.
        var changed = true
        while changed {
            changed = false
            for stepSpec in spec.steps where states[stepSpec.name] == .pending {
                let needs = stepSpec.needs.map { states[$0] ?? .skipped }
                guard needs.allSatisfy(\.isFinished) else { continue }
                if stepSpec.always || needs.allSatisfy({ $0 == .succeeded }) {
                    progress.started.append(stepSpec.name)
                    states[stepSpec.name] = .running
                } else {
                    progress.ended.append((stepSpec.name, .skipped, "a step it needs did not succeed"))
                    states[stepSpec.name] = .skipped
                }
                changed = true
            }
        }
        if spec.steps.allSatisfy({ states[$0.name]?.isFinished ?? true }) {
            // A cleanup step that failed (the fleet was not given back) fails the run too.
            progress.runState = spec.steps.allSatisfy({ states[$0.name] == .succeeded }) ? .succeeded : .failed
        }
        return progress
    }

    /// How a running step ended, if it did.
    func ending(of step: WorkflowSpec.Step, observation: WorkflowStepObservation?) -> (WorkflowRun.Step.State, String)? {
        switch (step.work, observation) {
        case (.provision(let fleet, let count, let waitReady), .machines(let ready, let present, let leaving)):
            // Reached means given back too: a step that sets 0 ends once the machines are gone,
            // so the run's cleanup is done when the run says so.
            guard present <= count, leaving == 0 else { return nil }
            if waitReady {
                return ready >= count ? (.succeeded, "\(fleet) has \(ready) of \(count) machine(s) ready") : nil
            }
            return present >= count ? (.succeeded, "\(fleet) has \(present) machine(s)") : nil
        case (.taskPool, .tasks(let states)), (.inlinePool, .tasks(let states)), (.run, .tasks(let states)):
            guard !states.isEmpty, states.allSatisfy(\.isFinished) else { return nil }
            let completed = states.filter { $0 == .completed }.count
            if completed == states.count { return (.succeeded, "\(completed) task(s) completed") }
            return (.failed, "\(states.count - completed) of \(states.count) task(s) did not complete")
        default:
            return nil
        }
    }
}
