internal import Synchronization

/// Bounds the event streams open at once: each holds a connection and polls the journal,
/// and on loopback anyone may open one.
final class StreamCounter: Sendable {
    let limit: Int
    private let open = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a place, or answers false when all are taken.
    func enter() -> Bool {
        open.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() { open.withLock { $0 -= 1 } }
}
