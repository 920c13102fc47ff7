public import OrbrecCore

/// Machine requests given back whole by `Reconciler.admitWithdrawal`: withdrawn, and the return
/// request that names what they held, with the policies' report on returning it.
public struct AdmittedWithdrawal: Sendable, Hashable {
    /// The machine requests withdrawn.
    public var requests: [String]
    /// The return request journaled (`ret-…`); nil when they held no machine that was not being
    /// returned already.
    public var returnID: String?
    /// The machines it names.
    public var machines: [String]
    /// The policies' report on returning what the requests held; empty when they held nothing.
    public var policy: PolicyReport
    /// Whether an override was journaled for soft-mandatory violations that would have blocked.
    public var overridden: Bool

    public init(requests: [String], returnID: String?, machines: [String], policy: PolicyReport, overridden: Bool) {
        self.requests = requests
        self.returnID = returnID
        self.machines = machines
        self.policy = policy
        self.overridden = overridden
    }
}
