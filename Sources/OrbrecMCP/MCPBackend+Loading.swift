internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecSpec
internal import OrbrecStore

extension MCPBackend {
    /// The configuration, or `invalid-configuration` with every diagnostic.
    func desired() throws(ToolFailure) -> DesiredState {
        do {
            return try loadConfiguration().desired
        } catch {
            throw .invalidConfiguration(error.diagnostics)
        }
    }

    /// The configuration if it loads, for what a call can do without it (a worker's report
    /// while someone edits the configuration must not be lost).
    func desiredIfValid() -> DesiredState? {
        try? loadConfiguration().desired
    }

    /// The task pools in force: the configuration's and those of its running workflow runs
    /// (`<run>-<step>`), as the daemon's lease API sees them.
    func poolsInForce(_ desired: DesiredState, store: StateStore?) async throws -> [String: TaskPoolSpec] {
        guard let store else { return desired.pools }
        return try await reconciler(for: store).effectiveDesired(desired).pools
    }

    /// The state, or `no-state` saying how one comes to be.
    func existingStore(for purpose: String) async throws -> StateStore {
        guard let store = try await openExistingStore() else {
            throw ToolFailure(.noState, "there is no state yet, so \(purpose); `orbrec apply` (or the daemon, `orbrec run`) creates it")
        }
        return store
    }
}
