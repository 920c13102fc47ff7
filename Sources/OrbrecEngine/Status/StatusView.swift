public import OrbrecCore

/// `status` as the CLI, the API and MCP show it: the report, what stops a plan, and the
/// snapshot and plan it was made from (for the views that show more of a resource).
public struct StatusView: Sendable {
    public var report: StatusReport
    /// Why no plan could be made (the configuration against the state), when none could.
    public var problems: [Diagnostic]
    public var snapshot: Snapshot
    public var plan: Plan?
}
