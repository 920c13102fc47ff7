public import OrbrecCore

extension StateStore {
    /// Journals a return request `id` for `machines` as HostFactory makes one: a machine not given
    /// back yet is recorded as `recordReturn` records it; a machine its provider took back
    /// (`reclaimed`) that no return request has named yet moves to `id`, so the request that names
    /// it reports it returned and getReturnRequests stops listing it. Others are left out.
    /// Answers the machines recorded now, in one transaction.
    @discardableResult
    public func recordReturnAdoptingReclaimed(id: String, machines: [String], actor: String, at now: Instant) async throws -> [String] {
        try await backend.recordReturnAdoptingReclaimed(id: id, machines: machines, actor: actor, at: now)
    }
}
