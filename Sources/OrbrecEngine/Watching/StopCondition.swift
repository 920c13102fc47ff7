internal import Foundation

/// Lets the polling thread sleep until its next walk yet wake at once on `stop()`. Unlike the
/// inotify watcher's socket pair it needs no descriptor, so `PollingWatcher.init` cannot fail.
///
/// `@unchecked Sendable`: `stopped` is only read or written with `condition` locked.
final class StopCondition: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps for `duration`; returns true if stopped meanwhile (or before).
    func wait(for duration: Duration) -> Bool {
        let (seconds, attoseconds) = duration.components
        let deadline = Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        // `wait(until:)` can wake spuriously; only the deadline or `stop()` end the sleep.
        while !stopped, condition.wait(until: deadline) {}
        return stopped
    }
}
