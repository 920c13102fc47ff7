/// What a caller can do next with a workflow run, from its state alone: follow it while it
/// runs (or cancel it), look at how it ended, or start another.
public enum WorkflowRunNextActions {
    public static func derive(workflow: String, runID: String, state: WorkflowRun.State) -> [NextAction] {
        let runs = "/api/v1/workflows/\(workflow)/runs"
        let run = "\(runs)/\(runID)"
        guard state == .running else {
            return [
                NextAction(action: "get", method: "GET", path: run, reason: "the run has ended (\(state.rawValue)); its steps say how"),
                NextAction(action: "start", path: runs, reason: "start another run of \(workflow)"),
            ]
        }
        return [
            NextAction(action: "get", method: "GET", path: run, recommended: true, retryAfterSeconds: 2,
                       reason: "follow its steps (state, times, what each caused) until the run ends"),
            NextAction(action: "watch", method: "GET", path: "/api/v1/events",
                       reason: "run/\(runID) and step/\(runID)/STEP transitions as they happen (Server-Sent Events)"),
            NextAction(action: "cancel", path: "\(run)/cancel",
                       reason: "stop it: its steps are cancelled, their tasks cancelled, and what its provision steps set given back"),
        ]
    }
}
