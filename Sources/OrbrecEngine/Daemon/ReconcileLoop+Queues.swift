public import OrbrecCore

/// The schedulers' queues through the daemon (its API and MCP), asked of the schedulers of the
/// configuration in force, on every daemon (a read: followers answer too).
extension ReconcileLoop {
    public func partitions(scheduler: String) async throws -> QueueListing<QueuePartition> {
        try await reconciler.partitions(of: try queuesInForce(), scheduler: scheduler)
    }

    public func jobs(scheduler: String, all: Bool) async throws -> QueueListing<QueueJob> {
        try await reconciler.jobs(of: try queuesInForce(), scheduler: scheduler, all: all)
    }

    private func queuesInForce() throws -> DesiredState {
        guard let desired else { throw QueueListingError.notReady }
        return desired
    }
}
