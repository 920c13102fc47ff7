public import OrbrecCore
internal import Synchronization

/// The task pools in force (a workflow run's included), readable without waiting for the
/// loop: the lease API answers claims while a pass holds the loop.
public final class PoolCatalog: Sendable {
    private struct State {
        var pools: [String: TaskPoolSpec] = [:]
        /// Each pool's tasks by key, made on first use: a worker's answer names its task's
        /// values without going through every task of the pool.
        var definitions: [String: [String: TaskDefinition]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public subscript(name: String) -> TaskPoolSpec? { state.withLock { $0.pools[name] } }

    /// The task `key` of the pool in force by that name.
    public func definition(pool name: String, key: String) -> TaskDefinition? {
        state.withLock { state in
            if let known = state.definitions[name] { return known[key] }
            guard let pool = state.pools[name] else { return nil }
            let made = Dictionary(pool.tasks.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            state.definitions[name] = made
            return made[key]
        }
    }

    func replace(with next: [String: TaskPoolSpec]) {
        state.withLock { state in
            for (name, pool) in next where state.pools[name] != pool { state.definitions[name] = nil }
            for name in state.pools.keys where next[name] == nil { state.definitions[name] = nil }
            state.pools = next
        }
    }
}
