public import OrbrecCore
public import OrbrecStore

/// Takes the state lock, waiting up to a timeout for its holder to let go.
public struct StateLock: Sendable {
    let store: StateStore
    let clock: any Clock

    public init(store: StateStore, clock: any Clock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// Returns once `lock` is held, or throws `LockTimeout` naming the holder.
    public func acquire(_ lock: LockRecord, timeout: ConfigDuration,
                        isStale: @escaping @Sendable (LockRecord) -> Bool) async throws -> LockRecord {
        let deadline = clock.now().adding(timeout)
        while true {
            let attempt = lock.stamped(at: clock.now())
            guard let holder = try await store.tryLock(attempt, isStale: isStale) else { return attempt }
            if clock.now() >= deadline { throw LockTimeout(holder: holder, timeout: timeout) }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// The lock could not be taken in time; `holder` has it. Any other error from taking the
/// lock is a failure of the state itself (the lock row could not be read or written).
public struct LockTimeout: Error, Sendable, CustomStringConvertible {
    public var holder: LockRecord
    public var timeout: ConfigDuration

    public init(holder: LockRecord, timeout: ConfigDuration) {
        self.holder = holder
        self.timeout = timeout
    }

    public var description: String {
        "the state is locked by \(holder.id) (\(holder.operation) by \(holder.who), pid \(holder.pid) on \(holder.host))"
    }
}
