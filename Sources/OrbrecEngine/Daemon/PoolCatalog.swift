public import OrbrecCore
internal import Synchronization

/// The task pools in force (a workflow run's included), readable without waiting for the
/// loop: the lease API answers claims while a pass holds the loop.
public final class PoolCatalog: Sendable {
    private let pools = Mutex<[String: TaskPoolSpec]>([:])

    public init() {}

    public subscript(name: String) -> TaskPoolSpec? { pools.withLock { $0[name] } }

    func replace(with next: [String: TaskPoolSpec]) { pools.withLock { $0 = next } }
}
