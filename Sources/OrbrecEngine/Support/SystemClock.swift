public import OrbrecCore
internal import Foundation

/// The wall clock, the one place the engine reads time from.
public struct SystemClock: Clock {
    public init() {}

    public func now() -> Instant {
        Instant(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }
}
