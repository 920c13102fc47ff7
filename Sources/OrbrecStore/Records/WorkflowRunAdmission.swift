/// What became of a run asked for by hand (API, MCP, `workflows start`), judged by the
/// workflow's concurrency in the transaction that would record it, so two starts at once
/// never both pass a `forbid`.
public enum WorkflowRunAdmission: Sendable, Hashable {
    /// Recorded; `replaced` are the runs `concurrency: replace` cancelled for it.
    case started(replaced: [String])
    /// Not recorded: `concurrency: forbid` and these runs are still running (newest first).
    case refused(running: [String])
    /// Not recorded: the idempotency key started this run before.
    case earlier(runID: String)
}
