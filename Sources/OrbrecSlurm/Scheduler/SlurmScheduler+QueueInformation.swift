public import OrbrecCore
internal import OrbrecAttempts

/// The cluster's queues as sinfo, squeue and sacctmgr report them, through the same command
/// path as every other Slurm command (on this host, or on the cluster over SSH).
extension SlurmScheduler: SchedulerQueueInformation {
    public var configuredPartition: String? { spec.partition }

    public func partitions() async throws -> [QueuePartition] {
        let output = try await queueCommand(SlurmPartitionListing.argv)
        return SlurmPartitionListing.parse(output).partitions
    }

    public func jobs(ownedBy owner: String, all: Bool) async throws -> [QueueJob] {
        let output = try await queueCommand(SlurmQueueListing.argv)
        var manifests: [String: AttemptManifest?] = [:]
        return SlurmQueueListing.parse(output).rows.compactMap { row in
            var job = row.job
            guard let identity = SlurmJobIdentity(comment: row.comment), identity.owner == owner else { return all ? job : nil }
            job.ownedByState = true
            job.pool = identity.pool
            switch identity.subject {
            case .attempt(let key, let attempt):
                job.taskKey = key
                job.attempt = attempt
            case .array(let action):
                // An array task's key is in the array's manifest, by its index; a pending range has none yet.
                if manifests[action] == nil { manifests[action] = AttemptManifest.read(from: manifestPath(action)) }
                if let index = row.arrayIndex, let manifest = manifests[action] ?? nil, manifest.entries.indices.contains(index) {
                    job.taskKey = manifest.entries[index].key
                    job.attempt = manifest.entries[index].attempt
                }
            }
            return job
        }
    }

    /// sacctmgr needs the user's name on the cluster, which is not always this process's
    /// (over SSH it is the remote login's): asked with `id -un` where the commands run.
    public func accounts() async throws -> [String]? {
        let user = try await queueCommand(["id", "-un"]).trimmingSpaces.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !user.isEmpty else { return nil }
        let output = try await slurm(SlurmAccountListing.argv(user: user))
        guard output.status == 0 else {
            if SlurmAccountListing.meansNoAccounting(output.stderr) { return nil }
            throw ProviderError(code: "slurm-unreachable", message: "sacctmgr exited \(output.status): \(output.stderr.trimmingSpaces)",
                                retryable: true)
        }
        return SlurmAccountListing.parse(output.stdout)
    }

    /// A read-only command's output; its failure is the cluster being out of reach.
    private func queueCommand(_ argv: [String]) async throws(ProviderError) -> String {
        let output = try await slurm(argv)
        guard output.status == 0 else {
            let message = output.stderr.split(whereSeparator: \.isNewline).prefix(3).joined(separator: "; ")
            throw ProviderError(code: "slurm-unreachable", message: "\(argv[0]) exited \(output.status): \(message)", retryable: true)
        }
        return output.stdout
    }
}
