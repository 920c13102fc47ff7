internal import Synchronization

/// Set once a connection's client has gone, for an event stream to give its slot back.
final class ClientDeparture: Sendable {
    private let gone = Atomic(false)

    var isGone: Bool { gone.load(ordering: .acquiring) }

    func mark() { gone.store(true, ordering: .releasing) }
}
