/// Why a workflow run was not started, cancelled or found: a code a program can act on and a
/// message for a person. The same codes over HTTP, MCP and the command line.
public struct WorkflowRunRefused: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// No workflow by that name in the configuration in force (and no run of one).
        case unknownWorkflow = "unknown-workflow"
        /// No run by that id (of that workflow).
        case unknownRun = "unknown-run"
        /// `concurrency: forbid` and a run is running; `running` names it.
        case runInProgress = "run-in-progress"
        /// Cancel asked of a run that has ended.
        case runFinished = "run-finished"
        /// The idempotency key started a run of another workflow.
        case idempotencyKeyReused = "idempotency_key_reused"
        /// No valid configuration in force yet, or the daemon is stopping.
        case notReady = "not-ready"
    }

    public var code: Code
    public var message: String
    /// The runs still running, for `run-in-progress` (newest first).
    public var running: [String]

    public init(_ code: Code, _ message: String, running: [String] = []) {
        self.code = code
        self.message = message
        self.running = running
    }

    public var description: String { message }
}
