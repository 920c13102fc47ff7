internal import Hummingbird
internal import HTTPTypes
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecAPI

/// A scheduler's queues over HTTP, as `orbrec get partitions|jobs` shows them: asked of the
/// scheduler now, never journaled. A scheduler that cannot be asked answers 503.
struct QueueRoutes: Sendable {
    let loop: ReconcileLoop

    func register(on api: RouterGroup<ServerContext>) {
        api.get("/schedulers/:name/partitions") { _, context in
            let name = try Self.name(context)
            let listing = try await Self.answer(name) { try await loop.partitions(scheduler: name) }
            return try JSONBody.response(listing.items.map { PartitionDocument(scheduler: $0.scheduler, $0.item) })
        }
        api.get("/schedulers/:name/jobs") { request, context in
            let name = try Self.name(context)
            let all = request.uri.queryParameters.get("all") == "true"
            let listing = try await Self.answer(name) { try await loop.jobs(scheduler: name, all: all) }
            return try JSONBody.response(listing.items.map { QueueJobDocument(scheduler: $0.scheduler, $0.item) })
        }
    }

    static func name(_ context: ServerContext) throws -> String {
        guard let name = context.parameters.get("name"), !name.isEmpty else {
            throw APIError(.notFound, .unknownScheduler, "a scheduler name is needed")
        }
        return name
    }

    /// The listing of one scheduler, or the refusal: unknown (404), out of reach (503), no configuration (503).
    static func answer<Item>(_ name: String, _ call: () async throws -> QueueListing<Item>) async throws -> QueueListing<Item> {
        let listing: QueueListing<Item>
        do {
            listing = try await call()
        } catch let error as QueueListingError {
            switch error {
            case .unknownScheduler: throw APIError(.notFound, .unknownScheduler, error.description)
            case .notReady: throw APIError(.serviceUnavailable, .notReady, error.description)
            }
        }
        if let reason = listing.unreachable[name] {
            throw APIError(.serviceUnavailable, .schedulerUnreachable, "scheduler \(name) could not be asked: \(reason)")
        }
        return listing
    }
}
