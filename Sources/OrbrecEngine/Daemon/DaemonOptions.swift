public import OrbrecCore

/// How the daemon paces itself.
public struct DaemonOptions: Sendable {
    /// Resources changed at once in a pass.
    public var parallelism: Int
    /// How often every fleet is reconciled again without a change (providers observed).
    public var observeInterval: ConfigDuration
    /// How often an unfinished task pool is looked at again (schedulers observed).
    public var taskInterval: ConfigDuration
    /// How soon a resource whose plan is not finished (a rolling update's next wave) is looked at again.
    public var followUp: ConfigDuration
    /// How long a pass waits for the state lock (a CLI apply holding it) before backing off.
    public var lockTimeout: ConfigDuration
    /// How long after a configuration change a removal (`removed-from-config`) waits: a
    /// multi-file edit may pass through a valid state that lacks a resource.
    public var pruneDelay: ConfigDuration
    public var allowEmpty: Bool
    public var backoff: QueueBackoff

    public init(parallelism: Int = 10, observeInterval: ConfigDuration = .seconds(10), taskInterval: ConfigDuration = .seconds(2),
                followUp: ConfigDuration = ConfigDuration(milliseconds: 250), lockTimeout: ConfigDuration = .seconds(30),
                pruneDelay: ConfigDuration = .seconds(3), allowEmpty: Bool = false, backoff: QueueBackoff = QueueBackoff()) {
        self.parallelism = parallelism
        self.observeInterval = observeInterval
        self.taskInterval = taskInterval
        self.followUp = followUp
        self.lockTimeout = lockTimeout
        self.pruneDelay = pruneDelay
        self.allowEmpty = allowEmpty
        self.backoff = backoff
    }
}
