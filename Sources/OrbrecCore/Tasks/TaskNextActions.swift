/// What a caller can do next with a task, derived from its state alone, so a worker or an
/// agent never has to guess: which calls are open now, which one is recommended, and when
/// to come back.
public struct NextAction: Hashable, Sendable, Codable {
    /// `complete`, `fail`, `heartbeat`, `release`, `claim`, `wait` or `requeue`.
    public var action: String
    /// `POST` for a call that acts, `GET` for where to look while waiting (`wait`), empty for
    /// an operator's command (`requeue`).
    public var method: String
    /// The API path to call, or the command an operator runs.
    public var path: String
    public var recommended: Bool
    /// Do it no sooner than this many seconds from now (0: now).
    public var retryAfterSeconds: Int64
    /// Do it before this moment or it stops being possible (a lease's end).
    public var before: Instant?
    public var reason: String

    public init(action: String, method: String = "POST", path: String, recommended: Bool = false, retryAfterSeconds: Int64 = 0,
                before: Instant? = nil, reason: String) {
        self.action = action
        self.method = method
        self.path = path
        self.recommended = recommended
        self.retryAfterSeconds = retryAfterSeconds
        self.before = before
        self.reason = reason
    }
}

public enum TaskNextActions {
    /// A task as the caller sees it.
    public struct Situation: Hashable, Sendable {
        public var pool: String
        /// The task's API id (`pool:key`), already escaped for a path.
        public var pathID: String
        public var state: TaskState
        public var nextTryAt: Instant?
        /// The lease the caller holds, if it holds the current one.
        public var heldUntil: Instant?
        public var leaseMilliseconds: Int64?
        /// Someone else's lease on the task ends then.
        public var leasedElsewhereUntil: Instant?
        /// The current attempt is offered and nobody holds it: a claim may take it now.
        public var offered: Bool
        /// The task's key, for the commands an operator runs.
        public var key: String?

        public init(pool: String, pathID: String, state: TaskState, nextTryAt: Instant? = nil, heldUntil: Instant? = nil,
                    leaseMilliseconds: Int64? = nil, leasedElsewhereUntil: Instant? = nil, offered: Bool = false, key: String? = nil) {
            self.offered = offered
            self.key = key
            self.pool = pool
            self.pathID = pathID
            self.state = state
            self.nextTryAt = nextTryAt
            self.heldUntil = heldUntil
            self.leaseMilliseconds = leaseMilliseconds
            self.leasedElsewhereUntil = leasedElsewhereUntil
        }
    }

    public static func derive(_ situation: Situation, now: Instant) -> [NextAction] {
        let task = "/api/v1/tasks/\(situation.pathID)"
        let claim = "/api/v1/pools/\(situation.pool)/claim"
        func seconds(until instant: Instant?) -> Int64 {
            guard let instant else { return 0 }
            let milliseconds = instant.millisecondsSinceEpoch - now.millisecondsSinceEpoch
            return milliseconds <= 0 ? 0 : (milliseconds + 999) / 1000
        }
        if let until = situation.heldUntil, until >= now {
            // Heartbeat at a third of the lease, so two missed beats still leave time.
            let beat = max(1, (situation.leaseMilliseconds ?? 30_000) / 3000)
            return [
                NextAction(action: "complete", path: task + "/complete", recommended: true, before: until,
                           reason: "report success (with an optional result) while the lease holds"),
                NextAction(action: "heartbeat", path: task + "/heartbeat", retryAfterSeconds: min(beat, seconds(until: until)), before: until,
                           reason: "extend the lease if the work takes longer"),
                NextAction(action: "fail", path: task + "/fail", before: until,
                           reason: "report failure (reason, retryAfterSeconds); the retry policy decides what comes next"),
                NextAction(action: "release", path: task + "/release", before: until,
                           reason: "give the task back unfinished; no attempt is used"),
            ]
        }
        switch situation.state {
        case .running where situation.offered || situation.leasedElsewhereUntil == nil:
            return [NextAction(action: "claim", path: claim, recommended: true, reason: "offered: a claim may take it now")]
        case .running:
            let wait = seconds(until: situation.leasedElsewhereUntil)
            return [
                NextAction(action: "claim", path: claim, recommended: true, reason: "this attempt is another worker's; claim another task"),
                NextAction(action: "wait", method: "GET", path: "/api/v1/tasks?pool=\(situation.pool)", retryAfterSeconds: wait,
                           reason: "the current lease ends in \(wait) s if it is not renewed"),
            ]
        case .retrying:
            let wait = seconds(until: situation.nextTryAt)
            return [
                NextAction(action: "claim", path: claim, recommended: true, retryAfterSeconds: wait,
                           reason: "the next attempt is offered once its backoff is over"),
            ]
        case .pending:
            return [NextAction(action: "claim", path: claim, recommended: true, reason: "offered, or will be at the next pass")]
        case .completed:
            return [NextAction(action: "claim", path: claim, recommended: true, reason: "this task is done; claim the next one")]
        case .deadLetter:
            return [
                NextAction(action: "requeue", method: "", path: "orbrec tasks requeue \(situation.pool) \(situation.key ?? "KEY")",
                           reason: "out of attempts; an operator requeues it"),
                NextAction(action: "claim", path: claim, recommended: true, reason: "claim another task"),
            ]
        case .cancelled:
            return [NextAction(action: "claim", path: claim, recommended: true, reason: "this task was cancelled; claim another one")]
        }
    }
}
