public import OrbrecCore

/// A return request admitted by `Reconciler.admitReturn`: what was journaled, and what the
/// policies said of it, so a caller can show advisories and overrides as it shows a plan's
/// (the CLI renders the report; the API and MCP answer the request alone).
public struct AdmittedReturn: Sendable, Hashable {
    /// The return request journaled (`ret-…`).
    public var id: String
    /// The machines it names.
    public var machines: [String]
    /// The policies' report on returning them.
    public var policy: PolicyReport
    /// Whether an override was journaled for soft-mandatory violations that would have blocked.
    public var overridden: Bool

    public init(id: String, machines: [String], policy: PolicyReport, overridden: Bool) {
        self.id = id
        self.machines = machines
        self.policy = policy
        self.overridden = overridden
    }
}
