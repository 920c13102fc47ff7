/// How a task is retried: `min(maxBackoff, initialBackoff * multiplier^(attempt-1))`, with
/// jitter applied inside the cap.
public struct RetryPolicy: Hashable, Sendable, Codable {
    public var maxAttempts: Int
    public var initialBackoff: ConfigDuration
    public var multiplier: Double
    public var maxBackoff: ConfigDuration
    /// The fraction of the delay that jitter may add or remove (0 ... 1).
    public var jitter: Double

    public static let `default` = RetryPolicy(maxAttempts: 3, initialBackoff: .seconds(5), multiplier: 2,
                                            maxBackoff: .seconds(300), jitter: 0.1)

    public init(maxAttempts: Int, initialBackoff: ConfigDuration, multiplier: Double, maxBackoff: ConfigDuration, jitter: Double) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.multiplier = multiplier
        self.maxBackoff = maxBackoff
        self.jitter = jitter
    }

    /// The wait before the attempt after `attempt` (1-based) failed.
    ///
    /// - Parameter jitterSample: a number in -1 ... 1 from the caller's random source, so
    ///   this stays a pure function; the result never exceeds `maxBackoff` nor goes below 0.
    public func delay(afterAttempt attempt: Int, jitterSample: Double) -> ConfigDuration {
        let cap = Double(maxBackoff.milliseconds)
        var base = Double(initialBackoff.milliseconds)
        for _ in 1..<max(1, attempt) {
            base *= multiplier
            if base >= cap { break }
        }
        base = min(base, cap)
        let sample = min(1, max(-1, jitterSample))
        let jittered = base * (1 + jitter * sample)
        return ConfigDuration(milliseconds: Int64(min(cap, max(0, jittered)).rounded()))
    }
}
