internal import Foundation
internal import Glibc
internal import Synchronization

/// Crash injection for the crash-safety tests: `ORBREC_FAILPOINT=NAME[:N]` makes the process
/// SIGKILL itself the N-th time (default 1st) it reaches the checkpoint NAME. Without the
/// variable every checkpoint is a no-op.
enum Failpoint {
    static func fromEnvironment() -> @Sendable (String) -> Void {
        guard let spec = ProcessInfo.processInfo.environment["ORBREC_FAILPOINT"], !spec.isEmpty else { return { _ in } }
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
            if count == target { kill(getpid(), SIGKILL) }
        }
    }
}
