public import OrbrecCore

/// A workflow of the configuration with how its runs stand.
public struct WorkflowSummary: Sendable, Hashable {
    public var spec: WorkflowSpec
    /// The newest run, if any ran.
    public var lastRun: WorkflowRun?
    /// The runs running now, newest first.
    public var running: [String]
    /// When the schedule next comes due (UTC), if it has one.
    public var nextScheduledAt: Instant?

    public init(spec: WorkflowSpec, lastRun: WorkflowRun?, running: [String], nextScheduledAt: Instant?) {
        self.spec = spec
        self.lastRun = lastRun
        self.running = running
        self.nextScheduledAt = nextScheduledAt
    }
}

/// A run just started (or the run an idempotency key started before).
public struct WorkflowRunStart: Sendable, Hashable {
    public var run: WorkflowRun
    /// False when the idempotency key had started `run` before: nothing new was started.
    public var created: Bool
    /// The runs `concurrency: replace` cancelled for it.
    public var replaced: [String]

    public init(run: WorkflowRun, created: Bool, replaced: [String]) {
        self.run = run
        self.created = created
        self.replaced = replaced
    }
}
