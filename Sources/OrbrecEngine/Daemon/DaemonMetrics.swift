internal import Synchronization

/// The daemon's counters, read by `/metrics`. Labels are kept as plain strings so the
/// server renders them without knowing the engine's types.
public final class DaemonMetrics: Sendable {
    /// Upper bounds (seconds) of the reconcile-duration histogram's buckets.
    public static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    public struct Values: Sendable {
        /// Passes by outcome (`succeeded`, `failed`).
        public var passes: [String: Int] = [:]
        /// Cumulative counts per bucket of `durationBuckets`, then the sum and the count.
        public var durationBucketCounts: [Int] = Array(repeating: 0, count: DaemonMetrics.durationBuckets.count)
        public var durationSum: Double = 0
        public var durationCount: Int = 0
        /// Actions by verb and outcome (`succeeded`, `failed`).
        public var actions: [ActionKey: Int] = [:]
        /// Raw watcher events by kind.
        public var watcherEvents: [String: Int] = [:]
        /// Configuration loads by outcome (`valid`, `invalid`).
        public var configurationLoads: [String: Int] = [:]
        public var queueDepth: Int = 0
        public var inFlight: Int = 0
    }

    public struct ActionKey: Hashable, Sendable {
        public var verb: String
        public var outcome: String
    }

    private let values = Mutex(Values())

    public init() {}

    public var current: Values { values.withLock { $0 } }

    func recordPass(succeeded: Bool, seconds: Double) {
        values.withLock { values in
            values.passes[succeeded ? "succeeded" : "failed", default: 0] += 1
            for (index, bound) in Self.durationBuckets.enumerated() where seconds <= bound {
                values.durationBucketCounts[index] += 1
            }
            values.durationSum += seconds
            values.durationCount += 1
        }
    }

    func recordAction(verb: String, succeeded: Bool) {
        values.withLock { $0.actions[ActionKey(verb: verb, outcome: succeeded ? "succeeded" : "failed"), default: 0] += 1 }
    }

    func recordConfiguration(valid: Bool) {
        values.withLock { $0.configurationLoads[valid ? "valid" : "invalid", default: 0] += 1 }
    }

    public func recordWatcherEvents(_ counts: [String: Int]) {
        values.withLock { values in
            for (kind, count) in counts { values.watcherEvents[kind, default: 0] += count }
        }
    }

    func recordQueue(depth: Int, inFlight: Int) {
        values.withLock {
            $0.queueDepth = depth
            $0.inFlight = inFlight
        }
    }
}
