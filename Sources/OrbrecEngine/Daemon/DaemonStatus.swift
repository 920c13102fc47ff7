public import OrbrecCore
internal import Synchronization

/// What the daemon last knew, for the API: the configuration in force, whether the newest
/// one is valid, and the status report of the last pass.
public struct DaemonStatus: Sendable {
    /// The revision in force (the last valid configuration), nil before the first valid one.
    public var revision: String?
    /// Problems of the newest configuration when it is invalid (the last valid one stays in force).
    public var configurationErrors: [Diagnostic] = []
    public var report: StatusReport?
    /// What is left to do after the last pass (its plan re-made once its actions ran), each
    /// action with its reason: what the next pass will act on unless something changes. The
    /// whole result, as `orbrec plan` has it (action ids, the policy report, and the snapshot
    /// it was made from, whose `now` is when), so `GET /api/v1/plan` answers the plan document.
    public var plan: PlanResult?
    public var lastPassAt: Instant?
    public var lastPassError: String?
    public var passes: Int = 0
    /// Blocking policy violations of the last plan: the daemon carries out nothing while
    /// there are any (it has no `--policy-override`; an operator's `apply` does).
    public var policyDenials: [String] = []
    public var stopping = false
    /// The loop has returned: nothing more will be journaled by this daemon.
    public var finished = false
    /// Who holds the state lock while the daemon waits for it (a CLI apply), if anyone.
    public var waitingForLock: String?
    /// When the loop last made progress (monotonic milliseconds): an iteration, an action
    /// started or finished. The systemd watchdog is fed only while it is recent.
    public var lastProgress: Int64 = 0
    /// A pass is running (waiting for the next one is not a hang).
    public var inPass = false
    public var startedAt: Instant
    /// Leader or follower, for a state shared by several daemons; nil when this daemon is the
    /// state's only one (a file).
    public var role: DaemonRole?

    /// A follower acts on nothing: it serves reads, events and the lease API.
    public var follows: Bool { role.map { !$0.leads } ?? false }

    public init(startedAt: Instant) {
        self.startedAt = startedAt
    }

    /// Ready: a valid configuration in force, the newest one valid, a pass done and the
    /// last one not failed (a plan could be made, the lock could be had), not stopping.
    /// A follower is ready once its configuration is: it makes no passes.
    public var isReady: Bool {
        revision != nil && configurationErrors.isEmpty && (passes > 0 || follows) && lastPassError == nil && policyDenials.isEmpty && !stopping
    }
}

/// The shared cell the loop writes and the server reads.
public final class DaemonStatusCell: Sendable {
    private let value: Mutex<DaemonStatus>

    public init(_ status: DaemonStatus) { value = Mutex(status) }

    public var current: DaemonStatus { value.withLock { $0 } }

    func update(_ change: (inout DaemonStatus) -> Void) { value.withLock { change(&$0) } }
}
