public import OrbrecStore

/// Opens the state at an address, choosing its backend: the one place that knows both.
public enum StateStores {
    /// How many connections a process keeps to a PostgreSQL state: a command needs few; a
    /// daemon serves its API, its loop and its workers at once.
    public enum Use: Sendable {
        case command
        case daemon

        var maximumConnections: Int { self == .daemon ? 10 : 4 }
    }

    /// Opens (creating if needed, when `create`) the state at `address`; nil when `create` is
    /// false and there is no state there yet. `warn` hears libpq's warning about an unsafe
    /// password file, which is passed over.
    public static func open(_ address: StateAddress, create: Bool, use: Use = .command,
                            warn: (String) -> Void = { _ in }) async throws -> StateStore? {
        switch address {
        case .file(let path):
            return create ? try StateStore(path: path) : try StateStore.openExisting(path: path)
        case .postgres(let url):
            let resolution = url.resolvingPassword()
            if let warning = resolution.warning { warn(warning) }
            guard let backend = try await PostgresBackend.open(resolution.url, create: create,
                                                               maximumConnections: use.maximumConnections) else { return nil }
            return StateStore(backend: backend)
        }
    }
}
