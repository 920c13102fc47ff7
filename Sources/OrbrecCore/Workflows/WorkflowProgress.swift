/// What is observed of a running step's work, for deciding whether it ended.
public enum WorkflowStepObservation: Hashable, Sendable {
    /// A provision step: of the fleet's machines, those running at its current template
    /// (`ready`), those that exist and are not going away (`present`: pending, running,
    /// unhealthy), and those being returned (`leaving`).
    case machines(ready: Int, present: Int, leaving: Int)
    /// A pool, inline pool or run step: its tasks' states.
    case tasks([TaskState])
}

/// The changes one look at a run makes: steps that start, steps that end, and the run's end.
public struct WorkflowProgress: Hashable, Sendable {
    public var started: [String] = []
    public var ended: [(name: String, state: WorkflowRun.Step.State, message: String)] = []
    public var runState: WorkflowRun.State?

    public init() {}

    public var isEmpty: Bool { started.isEmpty && ended.isEmpty && runState == nil }

    public static func == (lhs: WorkflowProgress, rhs: WorkflowProgress) -> Bool {
        lhs.started == rhs.started && lhs.runState == rhs.runState
            && lhs.ended.map { "\($0.name)/\($0.state.rawValue)/\($0.message)" } == rhs.ended.map { "\($0.name)/\($0.state.rawValue)/\($0.message)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(started)
        hasher.combine(runState)
        for item in ended { hasher.combine(item.name); hasher.combine(item.state) }
    }

    /// Applies the changes to `run` at `now`.
    public func applied(to run: WorkflowRun, at now: Instant) -> WorkflowRun {
        var run = run
        for index in run.steps.indices {
            if started.contains(run.steps[index].name) {
                run.steps[index].state = .running
                run.steps[index].startedAt = now
            }
            if let end = ended.first(where: { $0.name == run.steps[index].name }) {
                run.steps[index].state = end.state
                run.steps[index].endedAt = now
                run.steps[index].message = end.message
            }
        }
        if let runState {
            run.state = runState
            run.endedAt = now
        }
        return run
    }
}
