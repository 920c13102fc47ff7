/// How one attempt ended, as the scheduler reports it.
public struct AttemptOutcome: Hashable, Sendable, Codable {
    public var exitCode: Int?
    public var signal: Int?
    /// The walltime ran out and the attempt was stopped.
    public var timedOut: Bool
    /// The attempt vanished without a result (its runner died, its node failed).
    public var lost: Bool
    /// Stopped by orbrec (cancel).
    public var cancelled: Bool
    public var startedAt: Instant?
    public var endedAt: Instant?
    public var host: String
    /// When the next attempt may start, if whoever ran this one said (a pull worker's
    /// `retryAfterSeconds`, or 0 for a released lease); nil leaves it to the retry policy.
    public var retryAfter: ConfigDuration?
    /// Why the attempt can never start, whatever is tried again (its output path is longer
    /// than the file system allows): the task goes to the dead letters at once, with this reason.
    public var unstartable: String?

    public init(exitCode: Int? = nil, signal: Int? = nil, timedOut: Bool = false, lost: Bool = false, cancelled: Bool = false,
                startedAt: Instant? = nil, endedAt: Instant? = nil, host: String = "", retryAfter: ConfigDuration? = nil,
                unstartable: String? = nil) {
        self.unstartable = unstartable
        self.retryAfter = retryAfter
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.lost = lost
        self.cancelled = cancelled
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.host = host
    }

    public var succeeded: Bool { exitCode == 0 && !timedOut && !lost && !cancelled && signal == nil && unstartable == nil }

    /// The failure class of an attempt that did not succeed; nil when it succeeded or was cancelled.
    public var failureClass: FailureClass? {
        if succeeded || cancelled { return nil }
        if lost { return .infra }
        if timedOut { return .timeout }
        return .appError
    }

    /// `exit=3`, `signal=9`, `timeout`, `lost`.
    public var summary: String {
        if lost { return "lost" }
        if let unstartable { return "cannot-start (\(unstartable))" }
        if timedOut { return "timeout" }
        if cancelled { return "cancelled" }
        if let signal { return "signal=\(signal)" }
        return "exit=\(exitCode ?? -1)"
    }
}

extension AttemptOutcome {
    /// The end of an attempt its scheduler did not start: lost (infra, not counted), or
    /// unstartable when the scheduler says no retry can help.
    public static func notStarted(_ error: ProviderError?) -> AttemptOutcome {
        guard let error, error.code == ProviderError.cannotStart else { return AttemptOutcome(lost: true) }
        return AttemptOutcome(unstartable: error.message)
    }
}
