public import OrbrecCore

extension StateStore {
    /// The newest `limit` events of one resource (`Fleet/workers`), oldest first: what
    /// `orbrec describe` shows of its history.
    public func recentEvents(resource: String, limit: Int) async throws -> [EventRecord] {
        try await backend.recentEvents(resource: resource, limit: limit)
    }

    /// The newest `limit` events of one subject (`machine/workers-ab12c`), oldest first.
    public func recentEvents(subject: String, limit: Int) async throws -> [EventRecord] {
        try await backend.recentEvents(subject: subject, limit: limit)
    }
}
