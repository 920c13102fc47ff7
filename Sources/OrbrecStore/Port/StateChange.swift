/// News of the state from other processes sharing it, pushed rather than polled (a
/// PostgreSQL state's LISTEN/NOTIFY): events were journaled, or a worker ended a leased
/// attempt through another daemon.
public enum StateChange: Sendable, Hashable {
    /// Events up to `seq` were committed (0: look, something may have been missed).
    case events(upTo: Int64)
    /// A leased attempt ended through another process's lease API.
    case attemptEnded(pool: String, key: String, attempt: Int)
}
