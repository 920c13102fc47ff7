public import OrbrecCore

extension ReconcileLoop {
    /// The status report a follower serves: the configuration in force against the journal
    /// (what the leader last recorded), not against a look of its own at providers and
    /// schedulers, which is the leader's to take. Nil before a valid configuration.
    public func journalReport() async throws -> StatusReport? {
        guard let desired else { return nil }
        let snapshot = try await reconciler.snapshot(of: desired, refresh: false)
        let plan = try? reconciler.plan(snapshot, allowEmpty: options.allowEmpty).plan
        return try await reconciler.statusReport(snapshot, plan: plan)
    }
}
