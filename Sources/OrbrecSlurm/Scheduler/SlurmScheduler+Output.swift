public import OrbrecCore
internal import OrbrecAttempts

extension SlurmScheduler {
    /// Whether attempts' files are on a cluster reached over SSH rather than beside the state.
    public var keepsFilesOnCluster: Bool { cluster != nil }

    /// An attempt's stdout (or stderr) as the cluster holds it, fetched over SSH; nil when it
    /// has none. For a Slurm on this host, the files are beside the state and read there.
    public func clusterOutput(owner: String, pool: String, key: String, attempt: Int,
                              standardError: Bool) async throws(ProviderError) -> [UInt8]? {
        guard let cluster else { return nil }
        let layout = try await cluster.layout(owner: owner)
        let files = AttemptFiles(root: layout.root, pool: pool, key: key)
        let path = standardError ? files.stderr(attempt) : files.stdout(attempt)
        return try await cluster.read([path])[path]
    }
}
