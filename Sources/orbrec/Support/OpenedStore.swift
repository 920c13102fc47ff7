internal import OrbrecStore

/// A state opened on first use and kept for the life of its owner: for the callers that
/// would otherwise open it again and again (MCP tool calls, watchers).
actor OpenedStore {
    private var store: StateStore?

    /// The kept store, or the one `open` gives (nil, when there is no state yet, is not kept).
    func store(_ open: () async throws -> StateStore?) async throws -> StateStore? {
        if let store { return store }
        store = try await open()
        return store
    }
}
