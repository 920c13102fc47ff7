/// Gathers events into bursts. A burst ends `debounce` after its last event or `maxDelay`
/// after its first, whichever comes first, so a steady trickle of writes cannot postpone a
/// reload forever. Pure: the caller passes the time.
struct Debouncer {
    let debounce: Duration
    let maxDelay: Duration
    private var batch = WatchBatch()
    private var firstEvent: ContinuousClock.Instant?
    private var lastEvent: ContinuousClock.Instant?

    init(debounce: Duration, maxDelay: Duration) {
        self.debounce = debounce
        self.maxDelay = maxDelay
    }

    /// Counts an event that does not by itself start a burst (a file created but not yet
    /// closed); the count rides along with the next batch.
    mutating func count(_ kind: String) {
        batch.counts[kind, default: 0] += 1
    }

    /// Adds paths (and optionally one counted event) to the burst and restarts its quiet timer.
    mutating func record(_ paths: some Sequence<String>, kind: String? = nil, rescanned: Bool = false,
                         at now: ContinuousClock.Instant) {
        batch.paths.formUnion(paths)
        if let kind { count(kind) }
        if rescanned { batch.rescanned = true }
        if firstEvent == nil { firstEvent = now }
        lastEvent = now
    }

    /// When the current burst is due; nil when there is none.
    var deadline: ContinuousClock.Instant? {
        guard let firstEvent, let lastEvent else { return nil }
        return min(lastEvent + debounce, firstEvent + maxDelay)
    }

    /// The finished burst, if it is due at `now`.
    mutating func flush(at now: ContinuousClock.Instant) -> WatchBatch? {
        guard let deadline, now >= deadline else { return nil }
        defer {
            batch = WatchBatch()
            firstEvent = nil
            lastEvent = nil
        }
        return batch
    }
}
