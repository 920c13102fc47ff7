internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecAPI

/// The schedulers' queues as tools, as `orbrec get partitions|jobs` and
/// `GET /api/v1/schedulers/{name}/partitions|jobs` show them: asked of the schedulers now.
struct QueueTools: Sendable {
    let backend: any MCPBackend

    /// Answers are objects (structured content is one): the items, and the schedulers that could not be asked.
    struct Partitions: Encodable, Sendable {
        var partitions: [PartitionDocument]
        var unreachable: [String: String]
    }

    struct Jobs: Encodable, Sendable {
        var jobs: [QueueJobDocument]
        var unreachable: [String: String]
    }

    /// `list_partitions`.
    func listPartitions(scheduler: String?) async throws -> Partitions {
        let listing = try await Self.refused { try await reconciler().partitions(of: try backend.desired(), scheduler: scheduler) }
        return Partitions(partitions: listing.items.map { PartitionDocument(scheduler: $0.scheduler, $0.item) }, unreachable: listing.unreachable)
    }

    /// `list_jobs`.
    func listJobs(scheduler: String?, all: Bool) async throws -> Jobs {
        let listing = try await Self.refused { try await reconciler().jobs(of: try backend.desired(), scheduler: scheduler, all: all) }
        return Jobs(jobs: listing.items.map { QueueJobDocument(scheduler: $0.scheduler, $0.item) }, unreachable: listing.unreachable)
    }

    /// The jobs of this state are found by its id: without a state there is none to ask about.
    private func reconciler() async throws -> Reconciler {
        guard let store = try await backend.openExistingStore() else {
            throw ToolFailure(.noState, "there is no state yet: apply once, then the schedulers' queues can be listed")
        }
        return backend.reconciler(for: store)
    }

    static func refused<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as QueueListingError {
            switch error {
            case .unknownScheduler: throw ToolFailure(.unknownScheduler, error.description)
            case .notReady: throw ToolFailure(.notReady, error.description)
            }
        }
    }
}
