public import OrbrecCore

/// How the daemon takes and gives back the state lock; the executable supplies them
/// (it knows the process identity a lock record carries).
public struct StateLockHooks: Sendable {
    /// Waits up to the timeout; returns the lock's id, or throws `LockTimeout` naming the
    /// holder. Any other error is the state's own failure (a full disk), never a holder.
    public var acquire: @Sendable (ConfigDuration) async throws -> String
    public var release: @Sendable (String) async -> Void

    public init(acquire: @escaping @Sendable (ConfigDuration) async throws -> String, release: @escaping @Sendable (String) async -> Void) {
        self.acquire = acquire
        self.release = release
    }
}
