public import OrbrecCore
internal import Glibc

/// CLOCK_MONOTONIC as an `Instant`: for deciding when things are due, never for what is
/// journaled (its epoch is the boot, not 1970).
public struct MonotonicClock: Clock {
    public init() {}

    public func now() -> Instant {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Instant(millisecondsSinceEpoch: Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000)
    }
}
