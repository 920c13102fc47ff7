public import OrbrecCore
internal import OrbrecAttempts
internal import Foundation

extension SlurmScheduler {
    /// Every attempt of `owner`'s pools that Slurm or the runners know: first what Slurm holds
    /// (`scontrol show job -o`, by comment), then the results the runners wrote, then, for
    /// jobs Slurm has forgotten without leaving a result, `sacct -c` by the raw ids seen
    /// earlier. Slurm's word wins for the ends it decides (timeout, cancel, node failure).
    public func attempts(ownedBy owner: String) async throws -> [ObservedAttempt] {
        try await observe(owner: owner, open: nil)
    }

    /// The journal's open attempts only: Slurm's jobs as above, but the results, the jobs seen
    /// earlier and `sacct -c` are looked up for those attempts alone, not for every attempt
    /// ever run (a pass under `apply --wait` comes four times a second).
    public func attempts(ownedBy owner: String, open: [AttemptHandle]) async throws -> [ObservedAttempt] {
        try await observe(owner: owner, open: Dictionary(open.map { (AttemptKey(task: $0.task, attempt: $0.attempt), $0.jobID) },
                                                   uniquingKeysWith: { first, _ in first }))
    }

    /// `open`: the attempts to report, with their job ids (nil: every attempt).
    private func observe(owner: String, open: [AttemptKey: String?]?) async throws -> [ObservedAttempt] {
        let output = try await slurm(["scontrol", "show", "job", "-o"])
        guard output.status == 0 else {
            throw ProviderError(code: "slurm-unreachable",
                                message: "scontrol show job exited \(output.status): \(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))",
                                retryable: true)
        }
        // Over SSH the runners' results are on the cluster: read in one command up front (every
        // open attempt's, or every result there is), not one command per attempt.
        let fetched = try await clusterResults(owner: owner, open: open.map { Array($0.keys) })
        func result(task: TaskID, attempt: Int, owner: String) -> AttemptResult? {
            guard let fetched else { return self.result(task: task, attempt: attempt, owner: owner) }
            return fetched[AttemptKey(task: task, attempt: attempt)]
        }
        var found: [AttemptKey: ObservedAttempt] = [:]
        var held: Set<String> = []  // job ids Slurm still holds
        var manifests: [String: AttemptManifest] = [:]
        func manifest(_ name: String) -> AttemptManifest? {
            if let cached = manifests[name] { return cached }
            let loaded = AttemptManifest.read(from: manifestPath(name))
            manifests[name] = loaded
            return loaded
        }
        for record in SlurmJobRecord.parseScontrol(output.stdout) {
            guard let identity = record.identity, identity.owner == owner else { continue }
            var attempts: [(key: String, attempt: Int, jobID: String, rawID: String)] = []
            switch identity.subject {
            case .attempt(let key, let attempt):
                attempts.append((key, attempt, record.rawJobID, record.rawJobID))
            case .array(let name):
                guard let manifest = manifest(name), let arrayID = record.arrayJobID else { continue }
                for index in record.arrayIndexes where manifest.entries.indices.contains(index) {
                    let entry = manifest.entries[index]
                    // A still-pending range has one raw id for all its tasks: not theirs to keep.
                    let raw = record.arrayIndexes.count == 1 ? record.rawJobID : ""
                    attempts.append((entry.key, entry.attempt, "\(arrayID)_\(index)", raw))
                }
            }
            for attempt in attempts {
                held.insert(attempt.jobID)
                let task = TaskID(pool: identity.pool, key: attempt.key)
                if let open, open[AttemptKey(task: task, attempt: attempt.attempt)] == nil { continue }
                var outcome = record.state.outcome(exit: record.exitCode,
                                                   cancelledByOrbrec: FileManager.default.fileExists(atPath: cancelMarker(attempt.jobID)))
                if !attempt.rawID.isEmpty {
                    remember(jobID: attempt.jobID, rawID: attempt.rawID, task: task, attempt: attempt.attempt)
                }
                // For a job that ran to its end, the runner's result has the command's own exit
                // (Slurm sees the runner's); without one (the runner was killed), Slurm's word.
                if record.state == .completed || record.state == .failed,
                   let result = result(task: task, attempt: attempt.attempt, owner: owner) {
                    outcome = result.outcome
                }
                found[AttemptKey(task: task, attempt: attempt.attempt)] = ObservedAttempt(
                    scheduler: name, task: task, attempt: attempt.attempt, jobID: attempt.jobID, outcome: outcome)
            }
        }
        // Jobs Slurm no longer holds: their runners' results.
        let seen = open.map { open in open.compactMap { key, jobID in jobID.flatMap { seenJob($0, key: key) } } } ?? seenJobs()
        let seenByAttempt = Dictionary(seen.map { ($0.key, $0.jobID) }, uniquingKeysWith: { first, _ in first })
        if let open {
            for key in open.keys where found[key] == nil {
                guard let result = result(task: key.task, attempt: key.attempt, owner: owner), result.scheduler == name else { continue }
                found[key] = ObservedAttempt(scheduler: name, task: key.task, attempt: key.attempt,
                                             jobID: seenByAttempt[key] ?? "slurm", outcome: result.outcome)
            }
        } else {
            let results = fetched.map { Array($0.values) } ?? AttemptFiles.resultFiles(under: root).compactMap(AttemptResult.read(from:))
            for result in results {
                guard result.owner == owner, result.scheduler == name else { continue }
                let task = TaskID(pool: result.pool, key: result.key)
                let id = AttemptKey(task: task, attempt: result.attempt)
                guard found[id] == nil else { continue }
                found[id] = ObservedAttempt(scheduler: name, task: task, attempt: result.attempt,
                                            jobID: seenByAttempt[id] ?? "slurm", outcome: result.outcome)
            }
        }
        // Forgotten without a result (the runner was killed: timeout, node failure): the jobcomp file.
        let missing = seen.filter { !held.contains($0.jobID) && found[$0.key] == nil }
        if !missing.isEmpty {
            let ids = missing.map(\.rawID).joined(separator: ",")
            if let sacct = try? await slurm(["sacct", "-c", "-n", "-P", "-j", ids, "--format=\(SlurmJobRecord.sacctFormat)"]) {
                let byRaw = Dictionary(SlurmJobRecord.parseSacct(sacct.stdout).map { ($0.rawJobID, $0) }, uniquingKeysWith: { _, last in last })
                for seen in missing {
                    guard let record = byRaw[seen.rawID],
                          let outcome = record.state.outcome(exit: record.exitCode,
                                                             cancelledByOrbrec: FileManager.default.fileExists(atPath: cancelMarker(seen.jobID)))
                    else { continue }
                    found[seen.key] = ObservedAttempt(scheduler: name, task: seen.key.task, attempt: seen.key.attempt,
                                                      jobID: seen.jobID, outcome: outcome)
                }
            }
        }
        return found.values.sorted { ($0.task, $0.attempt) < ($1.task, $1.attempt) }
    }

    struct SeenJob {
        var jobID: String
        var rawID: String
        var key: AttemptKey
    }

    /// Keeps a finished job's raw id, the only name `sacct -c` will know it by.
    func remember(jobID: String, rawID: String, task: TaskID, attempt: Int) {
        let path = seenPath(jobID)
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let line = [rawID, task.pool, String(attempt), task.key].joined(separator: "\t")
        try? UnsyncedFile.write(Data(line.utf8), to: path)
    }

    /// The job seen earlier under `jobID`, if it was.
    func seenJob(_ jobID: String, key: AttemptKey) -> SeenJob? {
        guard let text = try? String(contentsOfFile: seenPath(jobID), encoding: .utf8) else { return nil }
        let fields = text.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4 else { return nil }
        return SeenJob(jobID: jobID, rawID: fields[0], key: key)
    }

    func seenJobs() -> [SeenJob] {
        let directory = slurmDirectory + "/seen"
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).compactMap { jobID in
            guard let text = try? String(contentsOfFile: directory + "/" + jobID, encoding: .utf8) else { return nil }
            let fields = text.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, let attempt = Int(fields[2]) else { return nil }
            return SeenJob(jobID: jobID, rawID: fields[0], key: AttemptKey(task: TaskID(pool: fields[1], key: fields[3]), attempt: attempt))
        }
    }

    /// The results on the cluster of `open` (nil: every result there), by attempt; nil for a
    /// Slurm on this host, whose results are read where they lie.
    func clusterResults(owner: String, open: [AttemptKey]?) async throws(ProviderError) -> [AttemptKey: AttemptResult]? {
        guard let cluster else { return nil }
        let layout = try await cluster.layout(owner: owner)
        let files: [String: [UInt8]]
        if let open {
            files = try await cluster.read(open.map { AttemptFiles(root: layout.root, pool: $0.task.pool, key: $0.task.key).result($0.attempt) })
        } else {
            files = try await cluster.results(under: layout.root)
        }
        var results: [AttemptKey: AttemptResult] = [:]
        for bytes in files.values {
            guard let result = try? JSONDecoder().decode(AttemptResult.self, from: Data(bytes)), result.owner == owner else { continue }
            results[AttemptKey(task: TaskID(pool: result.pool, key: result.key), attempt: result.attempt)] = result
        }
        return results
    }

    func result(task: TaskID, attempt: Int, owner: String) -> AttemptResult? {
        let files = AttemptFiles(root: root, pool: task.pool, key: task.key)
        guard let result = AttemptResult.read(from: files.result(attempt)), result.owner == owner else { return nil }
        return result
    }
}
