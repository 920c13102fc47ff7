internal import OrbrecCore
internal import Synchronization

/// The tasks a store read last, by pool, each with the generation (`task_generations`) it
/// was read at. Shared by the store's readers; an entry is good while its generation stands.
final class TaskCache: Sendable {
    struct Entry: Sendable {
        var generation: Int64
        var statuses: [TaskStatus]
    }

    private let entries = Mutex<[String: Entry]>([:])

    func entry(_ pool: String) -> Entry? { entries.withLock { $0[pool] } }

    /// Keeps just `kept`: pools no longer in the journal are let go.
    func replace(with kept: [String: Entry]) { entries.withLock { $0 = kept } }
}
