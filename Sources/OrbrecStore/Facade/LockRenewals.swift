internal import Foundation
internal import Synchronization
internal import OrbrecCore

/// The locks this process holds with a time to live, each renewed by a task of its own every
/// third of that time until it is released, so it lapses only when its holder stops (killed,
/// or cut off from the state): what tells a holder that died on another host from one that
/// works.
final class LockRenewals: Sendable {
    private let tasks = Mutex<[String: Task<Void, Never>]>([:])
    private let lost = Mutex<Set<String>>([])

    func start(_ lock: LockRecord, backend: any StateBackend) {
        guard let ttl = lock.ttlMilliseconds, ttl > 0 else { return }
        let id = lock.id
        let task = Task.detached { [weak self] in
            let interval = Duration.milliseconds(max(ttl / 3, 50))
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                let now = Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000))
                // A failed renewal (the database unreachable for a moment) is tried again at the
                // next tick; the lock lapses only if that lasts the whole time to live.
                if let held = try? await backend.renewLock(id: id, at: now), !held {
                    self?.markLost(id)
                    return
                }
            }
        }
        tasks.withLock { $0.updateValue(task, forKey: id) }?.cancel()
    }

    func stop(_ id: String) {
        tasks.withLock { $0.removeValue(forKey: id) }?.cancel()
    }

    func wasLost(_ id: String) -> Bool { lost.withLock { $0.contains(id) } }

    private func markLost(_ id: String) { _ = lost.withLock { $0.insert(id) } }
}
