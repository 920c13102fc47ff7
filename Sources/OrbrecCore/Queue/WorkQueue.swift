/// The daemon's queue of resources to reconcile, keyed per resource. A key is never handed
/// out twice at once; adding a key that is waiting does nothing more, and adding one that is
/// being worked on marks it to be taken again once it is done. A key whose work failed
/// waits out an exponential backoff before a periodic resync may take it again; a change
/// (a saved file, `POST /reconcile`) takes it at once.
///
/// Pure: time is passed in, so the daemon and the tests drive it the same way.
public struct WorkQueue<Key: Hashable & Sendable>: Sendable {
    /// Why a key is added: a change is acted on at once, a resync respects the key's backoff.
    public enum Trigger: Sendable, Hashable {
        case change
        case resync
    }

    public let backoff: QueueBackoff
    /// Keys waiting, with the earliest moment each may be handed out.
    private var waiting: [Key: Instant] = [:]
    private var inFlight: Set<Key> = []
    /// Keys added while in flight, with the moment they may run again.
    private var dirty: [Key: Instant] = [:]
    /// Keys among `dirty` added by a change, which does not wait for a backoff.
    private var dirtyByChange: Set<Key> = []
    private var failures: [Key: Int] = [:]
    private var retryAt: [Key: Instant] = [:]

    public init(backoff: QueueBackoff = QueueBackoff()) {
        self.backoff = backoff
    }

    /// Keys waiting or marked to run again; what `/metrics` reports as the queue depth.
    public var depth: Int { waiting.count + dirty.keys.filter { !waiting.keys.contains($0) }.count }

    public var inFlightCount: Int { inFlight.count }

    public func failureCount(of key: Key) -> Int { failures[key] ?? 0 }

    public func isWaiting(_ key: Key) -> Bool { waiting[key] != nil || dirty[key] != nil }

    /// Adds `key`; a resync of a key in backoff waits for the backoff to pass.
    public mutating func add(_ key: Key, _ trigger: Trigger, now: Instant) {
        var due = now
        if trigger == .resync, let retry = retryAt[key], retry > now { due = retry }
        if inFlight.contains(key) {
            dirty[key] = min(dirty[key] ?? due, due)
            if trigger == .change { dirtyByChange.insert(key) }
        } else {
            waiting[key] = min(waiting[key] ?? due, due)
        }
    }

    /// Adds `key` to be taken no earlier than `at` (a follow-up check of work in progress).
    public mutating func add(_ key: Key, at: Instant) {
        if inFlight.contains(key) {
            dirty[key] = min(dirty[key] ?? at, at)
        } else {
            waiting[key] = min(waiting[key] ?? at, at)
        }
    }

    /// Hands out every key that is due and not in flight, at most `limit`, and marks them in flight.
    public mutating func take(now: Instant, limit: Int = .max) -> [Key] {
        let due = waiting.filter { $0.value <= now }.sorted { $0.value < $1.value }.prefix(limit).map(\.key)
        for key in due {
            waiting[key] = nil
            inFlight.insert(key)
        }
        return due
    }

    /// Ends the work on `key`. A failure sets the key's backoff (and schedules a retry after it);
    /// a success clears it. A key added while in flight waits again.
    public mutating func finish(_ key: Key, succeeded: Bool, now: Instant) {
        guard inFlight.remove(key) != nil else { return }
        if succeeded {
            failures[key] = nil
            retryAt[key] = nil
        } else {
            let count = (failures[key] ?? 0) + 1
            failures[key] = count
            let retry = now.adding(backoff.delay(afterFailures: count))
            retryAt[key] = retry
            waiting[key] = min(waiting[key] ?? retry, retry)
        }
        let byChange = dirtyByChange.remove(key) != nil
        if let again = dirty.removeValue(forKey: key) {
            // A resync that arrived during work that then failed still waits out the backoff.
            let due = succeeded || byChange ? again : max(again, retryAt[key] ?? again)
            waiting[key] = min(waiting[key] ?? due, due)
        }
    }

    /// Forgets a key that no longer exists (removed from the configuration and settled).
    public mutating func forget(_ key: Key) {
        waiting[key] = nil
        dirty[key] = nil
        dirtyByChange.remove(key)
        failures[key] = nil
        retryAt[key] = nil
    }

    /// The earliest moment a waiting key becomes due; nil when nothing waits.
    public var nextDue: Instant? { waiting.values.min() }
}

/// Per-key backoff after failed reconciles: `min(maximum, initial * 2^(failures-1))`.
public struct QueueBackoff: Sendable, Hashable {
    public var initial: ConfigDuration
    public var maximum: ConfigDuration

    public init(initial: ConfigDuration = ConfigDuration(milliseconds: 1000),
                maximum: ConfigDuration = ConfigDuration(milliseconds: 300_000)) {
        self.initial = initial
        self.maximum = maximum
    }

    public func delay(afterFailures failures: Int) -> ConfigDuration {
        guard failures > 0 else { return ConfigDuration(milliseconds: 0) }
        let exponent = min(failures - 1, 40)
        let (scaled, overflow) = initial.milliseconds.multipliedReportingOverflow(by: Int64(1) << Int64(exponent))
        return ConfigDuration(milliseconds: overflow ? maximum.milliseconds : min(maximum.milliseconds, scaled))
    }
}
