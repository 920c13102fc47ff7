internal import Foundation
internal import Glibc
internal import OrbrecCore
internal import Synchronization

/// `apply --wait`'s view of pools moving on events: one live line per pool (done, running,
/// pending, retrying, dead, rate, elapsed, ETA) rewritten in place on a terminal; without a
/// terminal, the same lines every few seconds rather than one per step.
final class PoolProgressDisplay: Sendable {
    private struct State {
        var started: [String: (at: ContinuousClock.Instant, done: Int)] = [:]
        var shown = 0
        var lastPrinted: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let interactive = isatty(STDERR_FILENO) == 1
    static let plainInterval: Duration = .seconds(5)

    var isShowing: Bool { state.withLock { $0.shown > 0 } }

    func show(_ pools: [(pool: String, counts: TaskDispatcher.Counts)]) {
        let now = ContinuousClock.now
        let text = state.withLock { state -> String? in
            let lines = pools.map { entry -> String in
                let ended = entry.counts.completed + entry.counts.dead + entry.counts.cancelled
                let start = state.started[entry.pool] ?? (now, ended)
                state.started[entry.pool] = start
                return Self.line(entry.pool, entry.counts, elapsed: now - start.at, movedSince: ended - start.done)
            }
            if interactive {
                // Up over the lines shown last; the first time, over whatever the status line held.
                let up = state.shown > 0 ? "\u{1B}[\(state.shown)F" : "\r\u{1B}[K"
                state.shown = lines.count
                return up + lines.map { "\u{1B}[2K" + $0 }.joined(separator: "\n") + "\n"
            }
            if let last = state.lastPrinted, now - last < Self.plainInterval { return nil }
            state.lastPrinted = now
            return lines.joined(separator: "\n") + "\n"
        }
        if let text { FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// Leaves the last lines standing; what is printed next starts below them (and the next
    /// lines below that, never over it).
    func end() {
        state.withLock { $0.shown = 0 }
    }

    static func line(_ pool: String, _ counts: TaskDispatcher.Counts, elapsed: Duration, movedSince: Int) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0.05 ? Double(movedSince) / seconds : 0
        let remaining = counts.pending + counts.running + counts.retrying
        let eta = rate > 0 ? Self.clock(Double(remaining) / rate) : "—"
        return "TaskPool/\(pool): done \(counts.completed)/\(counts.total), running \(counts.running), pending \(counts.pending), "
            + "retrying \(counts.retrying), dead \(counts.dead) · \(String(format: "%.0f", rate))/s · \(Self.clock(seconds)) elapsed · ETA \(eta)"
    }

    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds)
        return whole >= 60 ? String(format: "%d:%02d", whole / 60, whole % 60) : String(format: "%.1fs", seconds)
    }
}
