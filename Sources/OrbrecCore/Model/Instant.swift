/// A point in time as milliseconds since the Unix epoch. The core never reads a clock;
/// instants come in through `Clock` or as data.
public struct Instant: Hashable, Sendable, Codable, Comparable {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

    public static let epoch = Instant(millisecondsSinceEpoch: 0)

    public func adding(_ duration: ConfigDuration) -> Instant {
        Instant(millisecondsSinceEpoch: millisecondsSinceEpoch + duration.milliseconds)
    }

    public func milliseconds(since earlier: Instant) -> Int64 { millisecondsSinceEpoch - earlier.millisecondsSinceEpoch }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch }

    public init(from decoder: any Decoder) throws {
        millisecondsSinceEpoch = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(millisecondsSinceEpoch)
    }
}
