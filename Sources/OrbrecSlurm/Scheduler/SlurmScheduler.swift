public import OrbrecCore
internal import OrbrecAttempts
internal import Foundation

/// The `slurm` scheduler: attempts are Slurm jobs. A pool's first attempts go out as one
/// job array (`--array=0-N%parallelism`), retries as single jobs. Every job runs orbrec's own
/// runner (`orbrec _run-attempt --manifest=FILE`) through a fixed script, so a command's argv
/// never passes through a shell; the runner writes the attempt's output and result under the
/// state directory, which must be shared with the compute nodes (as home directories are).
/// Jobs are found again by their comment (the task's identity) in `scontrol show job`, and,
/// once Slurm has forgotten them, by their result files or `sacct -c` (the jobcomp file).
public final class SlurmScheduler: Scheduler {
    public let name: String
    let spec: SchedulerSpec
    /// `<state dir>/tasks`: attempts' output and results, and Slurm's own files under `.slurm`.
    let root: String
    /// The orbrec executable, which each job runs.
    let runner: String
    /// First attempts as one job array (the default); off, one sbatch per attempt (the
    /// benchmark's comparison, `ORBREC_SLURM_ARRAYS=0`).
    let useArrays: Bool
    /// Where every Slurm command runs: here, or on the cluster over SSH (`spec.ssh`).
    let commands: SlurmCommandPath
    /// Over SSH: the runner and the attempts' files on the cluster. Nil when Slurm is here.
    let cluster: ClusterFiles?

    /// - Parameters:
    ///   - connection: the cluster's login node (from `spec.ssh`, paths made absolute), or nil
    ///     for a Slurm on this host.
    ///   - version: orbrec's version, naming the runner installed on the cluster.
    public init(spec: SchedulerSpec, root: String, runner: String, useArrays: Bool = true, connection: SSHConnection? = nil,
                version: String = "dev") {
        name = spec.name
        self.spec = spec
        self.root = root
        self.runner = runner
        self.useArrays = useArrays
        if let connection, let settings = spec.ssh {
            commands = SlurmCommandPath(route: .ssh(connection))
            cluster = ClusterFiles.shared(connection: connection, settings: settings, schedulerName: spec.name, localRunner: runner, version: version)
        } else {
            commands = .local
            cluster = nil
        }
    }

    /// Closes the shared SSH connection, if any.
    public func closeConnection() async { await commands.closeConnection() }

    var slurmDirectory: String { root + "/.slurm" }
    var script: String { slurmDirectory + "/job.sh" }
    func manifestPath(_ name: String) -> String { slurmDirectory + "/manifests/\(name).json" }
    func cancelMarker(_ jobID: String) -> String { slurmDirectory + "/cancelled/\(jobID)" }
    func seenPath(_ jobID: String) -> String { slurmDirectory + "/seen/\(jobID)" }

    // MARK: Submit

    public func submit(_ order: SubmitOrder) async -> [AttemptOutcomeReport] {
        do {
            try prepareDirectories()
        } catch {
            return order.attempts.map { failed($0, order, ProviderError(code: "slurm-files", message: "cannot prepare \(slurmDirectory): \(error)")) }
        }
        let firsts = order.attempts.filter { $0.attempt == 1 }
        var reports: [AttemptOutcomeReport] = []
        var singles = order.attempts.filter { $0.attempt != 1 }
        if firsts.count > 1 && useArrays {
            reports += await submitJob(order, attempts: firsts, manifestName: order.actionID, array: true)
        } else {
            singles = firsts + singles
        }
        for (index, attempt) in singles.enumerated() {
            reports += await submitJob(order, attempts: [attempt], manifestName: "\(order.actionID)-\(index)", array: false)
        }
        return reports
    }

    private func submitJob(_ order: SubmitOrder, attempts: [SubmitOrder.Attempt], manifestName: String,
                           array: Bool) async -> [AttemptOutcomeReport] {
        var resources = order.resources
        resources.walltime = order.walltime ?? resources.walltime
        // Over SSH the job's files are the cluster's: the runner installed there, the manifest
        // copied there, outputs and results written there. The manifest is kept here too, for
        // observation (an array's index to its key).
        let place: JobPlace
        do throws(ProviderError) {
            place = try await jobPlace(owner: order.owner)
        } catch {
            return attempts.map { failed($0, order, error) }
        }
        let manifest = AttemptManifest(owner: order.owner, scheduler: name, pool: order.pool, root: place.root, env: order.env,
                                       workdir: order.workdir, walltimeMilliseconds: resources.walltime?.milliseconds, entries: attempts)
        let path = manifestPath(manifestName)
        do {
            try manifest.write(to: path)
        } catch {
            return attempts.map { failed($0, order, ProviderError(code: "slurm-files", message: "cannot write \(path): \(error)")) }
        }
        let jobManifest = place.slurmDirectory + "/manifests/\(manifestName).json"
        if let cluster {
            do throws(ProviderError) {
                guard let bytes = FileManager.default.contents(atPath: path) else {
                    throw ProviderError(code: "slurm-files", message: "cannot read \(path)")
                }
                try await cluster.write(Array(bytes), to: jobManifest)
            } catch {
                return attempts.map { failed($0, order, error) }
            }
        }
        let identity = SlurmJobIdentity(owner: order.owner, pool: order.pool,
                                        subject: array ? .array(actionID: manifestName) : .attempt(key: attempts[0].key, attempt: attempts[0].attempt))
        let arguments = SbatchArguments(identity: identity, scheduler: spec, resources: resources,
                                        array: array ? SbatchArguments.arraySpec(count: attempts.count, throttle: order.parallelism) : nil,
                                        outputDirectory: place.slurmDirectory + "/out", script: place.slurmDirectory + "/job.sh")
        let argv = arguments.argv + [place.runner, "_run-attempt", "--manifest=\(jobManifest)"]
        let output: SlurmCommand.Output
        do throws(ProviderError) {
            // The job gets the submitting environment (sbatch's --export=ALL), without orbrec's own
            // variables: a failpoint or a state path is not the task's business.
            output = try await slurm(argv, environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ORBREC_") })
        } catch {
            // The connection broke while sbatch may have run: whether the job exists is for
            // observation to find, by its comment, never for a second sbatch.
            if error.code == SSHFailure.Reason.connectionLost.rawValue {
                let unknown = ProviderError(code: ProviderError.outcomeUnknown, message: error.message, retryable: true)
                return attempts.map { failed($0, order, unknown) }
            }
            return attempts.map { failed($0, order, error) }
        }
        // The last line: over SSH, a login's startup files may print before sbatch does.
        let jobID = output.stdout.split(whereSeparator: \.isNewline).last.map { String($0.split(separator: ";").first ?? "") } ?? ""
        guard output.status == 0, !jobID.isEmpty, jobID.allSatisfy(\.isNumber) else {
            let message = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            if output.status == 0 {
                // sbatch succeeded, so the job exists: found by its comment, never submitted again.
                let unknown = ProviderError(code: ProviderError.outcomeUnknown, message: "sbatch answered no job id: \(output.stdout.suffix(200))",
                                            retryable: true)
                return attempts.map { failed($0, order, unknown) }
            }
            return attempts.map { failed($0, order, ProviderError(code: "sbatch-failed", message: "sbatch exited \(output.status): \(message)")) }
        }
        return attempts.enumerated().map { index, attempt in
            AttemptOutcomeReport(task: TaskID(pool: order.pool, key: attempt.key), attempt: attempt.attempt,
                                 jobID: array ? "\(jobID)_\(index)" : jobID)
        }
    }

    /// Where a job's files are, as the job sees them.
    struct JobPlace {
        /// The attempts' outputs and results (`AttemptFiles`' root).
        var root: String
        /// The batch script, manifests and Slurm's own output.
        var slurmDirectory: String
        /// The orbrec executable the job runs.
        var runner: String
    }

    /// Here: the state's directory and this orbrec. Over SSH: the cluster's directory for this
    /// state and scheduler, and the runner orbrec installed there (the batch script and the
    /// directories made once per process).
    func jobPlace(owner: String) async throws(ProviderError) -> JobPlace {
        guard let cluster else { return JobPlace(root: root, slurmDirectory: slurmDirectory, runner: runner) }
        let layout = try await cluster.layoutWithRunner(owner: owner)
        let place = JobPlace(root: layout.root, slurmDirectory: layout.root + "/.slurm", runner: layout.runner)
        try await cluster.prepareOnce(directories: [place.slurmDirectory + "/out", place.slurmDirectory + "/manifests"],
                                      script: Array(Self.scriptText.utf8), at: place.slurmDirectory + "/job.sh")
        return place
    }

    private func failed(_ attempt: SubmitOrder.Attempt, _ order: SubmitOrder, _ error: ProviderError) -> AttemptOutcomeReport {
        AttemptOutcomeReport(task: TaskID(pool: order.pool, key: attempt.key), attempt: attempt.attempt, error: error)
    }

    static let scriptText = "#!/bin/sh\n# Written by orbrec: runs orbrec's attempt runner with the arguments sbatch was given.\nexec \"$@\"\n"

    private func prepareDirectories() throws {
        for directory in ["manifests", "cancelled", "seen", "out"] {
            try FileManager.default.createDirectory(atPath: slurmDirectory + "/" + directory, withIntermediateDirectories: true)
        }
        // A fixed script, the same for every job: the attempt comes from the manifest given
        // as the script's arguments, which sbatch passes on as an argv.
        let text = Self.scriptText
        if (try? String(contentsOfFile: script, encoding: .utf8)) != text {
            try text.write(toFile: script, atomically: true, encoding: .utf8)
            chmod(script, 0o755)
        }
    }

    /// Every Slurm command goes through here: the one place that decides where it runs.
    func slurm(_ argv: [String], environment: [String: String]? = nil) async throws(ProviderError) -> SlurmCommand.Output {
        try await commands.run(argv, environment: environment)
    }

    // MARK: Cancel

    public func cancel(_ attempts: [ObservedAttempt]) async -> [AttemptOutcomeReport] {
        try? prepareDirectories()
        var reports: [AttemptOutcomeReport] = []
        for attempt in attempts {
            // The marker first: the CANCELLED state it will show is then known to be orbrec's.
            FileManager.default.createFile(atPath: cancelMarker(attempt.jobID), contents: Data())
            do throws(ProviderError) {
                let output = try await slurm(["scancel", attempt.jobID])
                if output.status == 0 {
                    reports.append(AttemptOutcomeReport(task: attempt.task, attempt: attempt.attempt, jobID: attempt.jobID))
                } else {
                    reports.append(AttemptOutcomeReport(task: attempt.task, attempt: attempt.attempt, jobID: attempt.jobID, error: ProviderError(
                        code: "scancel-failed", message: "scancel \(attempt.jobID) exited \(output.status): \(output.stderr)", retryable: true)))
                }
            } catch {
                reports.append(AttemptOutcomeReport(task: attempt.task, attempt: attempt.attempt, jobID: attempt.jobID, error: error))
            }
        }
        return reports
    }
}
