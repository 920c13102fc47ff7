internal import Synchronization

/// Bounds the event streams open at once, in all and per remote address: each holds a
/// connection and polls the journal, and on loopback anyone may open one.
final class StreamCounter: Sendable {
    /// A place taken, given back when the last reference to it goes: however the stream ends,
    /// even when its body is never written (the client gone before the head was sent).
    final class Slot: Sendable {
        let counter: StreamCounter
        let client: String

        fileprivate init(counter: StreamCounter, client: String) {
            self.counter = counter
            self.client = client
        }

        deinit { counter.leave(client: client) }
    }

    enum Admission {
        case admitted(Slot)
        case full
        case clientFull
    }

    let limit: Int
    let perClient: Int
    private struct Counts {
        var total = 0
        var byClient: [String: Int] = [:]
    }
    private let counts = Mutex(Counts())

    init(limit: Int, perClient: Int) {
        self.limit = limit
        self.perClient = perClient
    }

    /// Takes a place for `client`, or says which bound is reached.
    func enter(client: String) -> Admission {
        let admitted = counts.withLock { counts -> Bool? in
            guard counts.total < limit else { return nil }
            guard counts.byClient[client, default: 0] < perClient else { return false }
            counts.total += 1
            counts.byClient[client, default: 0] += 1
            return true
        }
        switch admitted {
        case true?: return .admitted(Slot(counter: self, client: client))
        case false?: return .clientFull
        case nil: return .full
        }
    }

    private func leave(client: String) {
        counts.withLock { counts in
            counts.total -= 1
            let left = counts.byClient[client, default: 1] - 1
            counts.byClient[client] = left > 0 ? left : nil
        }
    }
}
