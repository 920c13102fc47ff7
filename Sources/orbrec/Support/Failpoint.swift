internal import Foundation
internal import Glibc
internal import Synchronization

/// Crash injection for the crash-safety tests: `ORBREC_FAILPOINT=NAME[:N]` makes the process
/// SIGKILL itself the N-th time (default 1st) it reaches the checkpoint NAME.
/// `ORBREC_FAILPOINT_DELAY=NAME:MS` makes every pass through NAME take MS milliseconds
/// longer, so a test can signal the daemon while an action is in flight. Without the
/// variables every checkpoint is a no-op.
enum Failpoint {
    static func fromEnvironment() -> @Sendable (String) -> Void {
        let environment = ProcessInfo.processInfo.environment
        let kill = killer(environment["ORBREC_FAILPOINT"])
        let delay = delayer(environment["ORBREC_FAILPOINT_DELAY"])
        switch (kill, delay) {
        case (nil, nil): return { _ in }
        case (let kill?, nil): return kill
        case (nil, let delay?): return delay
        case (let kill?, let delay?): return { delay($0); kill($0) }
        }
    }

    private static func killer(_ spec: String?) -> (@Sendable (String) -> Void)? {
        guard let spec, !spec.isEmpty else { return nil }
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts[0]
        let target = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
        let hits = Mutex(0)
        return { reached in
            guard reached == name else { return }
            let count = hits.withLock { value -> Int in
                value += 1
                return value
            }
            if count == target { Glibc.kill(getpid(), SIGKILL) }
        }
    }

    private static func delayer(_ spec: String?) -> (@Sendable (String) -> Void)? {
        guard let spec, !spec.isEmpty else { return nil }
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let milliseconds = UInt32(parts[1]) else { return nil }
        let name = parts[0]
        return { reached in
            if reached == name { usleep(milliseconds * 1000) }
        }
    }
}
