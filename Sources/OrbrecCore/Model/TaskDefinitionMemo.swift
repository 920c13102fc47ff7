internal import Synchronization

/// The task definitions of the sources last expanded, so that asking a pool for its tasks
/// again costs a lookup, not a new array of every task. Bounded: a process that sees many
/// configurations (the daemon, over its reloads) keeps only the recent ones.
final class TaskDefinitionMemo: Sendable {
    static let shared = TaskDefinitionMemo()

    private static let capacity = 64
    private let memo = Mutex<[TaskPoolSpec.Source: [TaskDefinition]]>([:])

    func definitions(of source: TaskPoolSpec.Source) -> [TaskDefinition] {
        if let known = memo.withLock({ $0[source] }) { return known }
        let made = source.expandedDefinitions
        memo.withLock { memo in
            if memo.count >= Self.capacity { memo.removeAll(keepingCapacity: true) }
            memo[source] = made
        }
        return made
    }
}
