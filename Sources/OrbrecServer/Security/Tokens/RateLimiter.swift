internal import Synchronization

/// A token bucket per token name: `burst` requests at once, refilled at `perSecond`. A token
/// without a limit is never counted. A bucket survives a reload that keeps its limit.
final class RateLimiter: Sendable {
    private struct Bucket {
        var limit: RateLimit
        var available: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    /// nil when the request may go ahead (and is counted); else how many whole seconds to wait
    /// before the next one would be let through, at least 1.
    func admit(_ name: String, _ limit: RateLimit?, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { buckets in
            guard let limit else {
                buckets[name] = nil
                return nil
            }
            var bucket = buckets[name].flatMap { $0.limit == limit ? $0 : nil }
                ?? Bucket(limit: limit, available: Double(limit.burst), updated: now)
            let elapsed = bucket.updated.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.available = min(Double(limit.burst), bucket.available + max(0, seconds) * limit.perSecond)
            bucket.updated = now
            let admitted = bucket.available >= 1
            if admitted { bucket.available -= 1 }
            buckets[name] = bucket
            return admitted ? nil : max(1, Int(((1 - bucket.available) / limit.perSecond).rounded(.up)))
        }
    }

    /// Forgets the buckets of every token but these (after a reload removed some).
    func keep(_ names: Set<String>) {
        buckets.withLock { buckets in buckets = buckets.filter { names.contains($0.key) } }
    }
}
