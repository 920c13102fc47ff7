public import OrbrecCore
internal import Synchronization

/// A clock that moves only when a test moves it.
public final class ManualClock: Clock {
    private let current: Mutex<Instant>

    public init(_ start: Instant = Instant(millisecondsSinceEpoch: 1_700_000_000_000)) { current = Mutex(start) }

    public func now() -> Instant { current.withLock { $0 } }

    public func advance(by duration: ConfigDuration) {
        current.withLock { $0 = $0.adding(duration) }
    }
}
