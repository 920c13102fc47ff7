public import OrbrecCore
internal import Foundation
internal import Glibc
internal import Synchronization

/// The `local` scheduler: each attempt runs under its own runner process (`orbrec
/// _run-attempt`), a session leader tagged with the attempt's identity, so attempts outlive
/// the orbrec that started them and their end is recorded even while orbrec is down.
public final class LocalScheduler: Scheduler {
    public let name: String
    /// `<state dir>/tasks`: outputs and results of every attempt.
    public let root: String
    /// The orbrec executable, started as `orbrec _run-attempt …`.
    private let runner: String
    private let baseEnvironment: [String: String]
    private let children = Mutex<Set<Int32>>([])

    public static let grace = ConfigDuration.seconds(5)

    public init(name: String, root: String, runner: String, environment: [String: String]? = nil) {
        self.name = name
        self.root = root
        self.runner = runner
        baseEnvironment = (environment ?? ProcessInfo.processInfo.environment).filter { !$0.key.hasPrefix("ORBREC_") }
    }

    enum Tag {
        static let managedBy = "ORBREC_MANAGED_BY"
        static let scheduler = "ORBREC_SCHEDULER"
        static let pool = "ORBREC_POOL"
        static let key = "ORBREC_TASK_KEY"
        static let attempt = "ORBREC_ATTEMPT"
        static let action = "ORBREC_ACTION"
    }

    public func attempts(ownedBy owner: String) async throws -> [ObservedAttempt] {
        reap()
        var found: [TaskID: [Int: ObservedAttempt]] = [:]
        // Runners first, results second: an attempt that ends between the two reads is then
        // seen ended, never missed (and so never taken for lost).
        var runners: Set<Int32> = []
        var orphans: [Int32] = []
        for pid in ProcFileSystem.processIDs() {
            guard let stat = ProcFileSystem.stat(of: pid), stat.state != "Z" else { continue }
            // Only a session leader (a runner) or a process whose session leader is gone (an
            // orphaned command) can be ours: the environment of no other process is read.
            if stat.session != pid, let leader = ProcFileSystem.stat(of: stat.session), leader.state != "Z" { continue }
            let tags = ProcFileSystem.environment(of: pid)
            guard tags[Tag.managedBy] == owner, tags[Tag.scheduler] == name, let pool = tags[Tag.pool], let key = tags[Tag.key],
                  let attempt = tags[Tag.attempt].flatMap(Int.init) else { continue }
            guard stat.session == pid else {
                // A command whose runner is gone (killed with SIGKILL) would run beside its retry.
                orphans.append(pid)
                continue
            }
            runners.insert(pid)
            let id = TaskID(pool: pool, key: key)
            let identity = ProcessIdentity(pid: pid, startTicks: stat.startTicks)
            found[id, default: [:]][attempt] = ObservedAttempt(scheduler: name, task: id, attempt: attempt, jobID: "local:\(identity)")
        }
        for pid in orphans {
            guard let stat = ProcFileSystem.stat(of: pid), !runners.contains(stat.session) else { continue }
            kill(-stat.processGroup, SIGKILL)
        }
        for path in AttemptFiles.resultFiles(under: root) {
            guard let result = AttemptResult.read(from: path), result.owner == owner, result.scheduler == name else { continue }
            let id = TaskID(pool: result.pool, key: result.key)
            let jobID = found[id]?[result.attempt]?.jobID ?? "local:\(result.pool)/\(result.key)#\(result.attempt)"
            found[id, default: [:]][result.attempt] = ObservedAttempt(scheduler: name, task: id, attempt: result.attempt, jobID: jobID,
                                                                     outcome: result.outcome)
        }
        return found.values.flatMap(\.values).sorted { ($0.task, $0.attempt) < ($1.task, $1.attempt) }
    }

    public func submit(_ order: SubmitOrder) async -> [AttemptOutcomeReport] {
        order.attempts.map { attempt in
            let id = TaskID(pool: order.pool, key: attempt.key)
            let files = AttemptFiles(root: root, pool: order.pool, key: attempt.key)
            do {
                try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: true)
            } catch {
                return AttemptOutcomeReport(task: id, attempt: attempt.attempt, error: ProviderError(
                    code: "output-directory", message: "cannot create \(files.directory): \(error.localizedDescription)"))
            }
            var environment = baseEnvironment.merging(order.env) { _, pool in pool }
            environment[Tag.managedBy] = order.owner
            environment[Tag.scheduler] = name
            environment[Tag.pool] = order.pool
            environment[Tag.key] = attempt.key
            environment[Tag.attempt] = String(attempt.attempt)
            environment[Tag.action] = order.actionID
            // `--option=value`, so a value that starts with '-' (a key such as "-1") is never read as an option.
            var argv = [runner, "_run-attempt", "--owner=\(order.owner)", "--scheduler=\(name)", "--pool=\(order.pool)",
                        "--key=\(attempt.key)", "--attempt=\(attempt.attempt)",
                        "--stdout=\(files.stdout(attempt.attempt))", "--stderr=\(files.stderr(attempt.attempt))",
                        "--result=\(files.result(attempt.attempt))", "--grace-ms=\(Self.grace.milliseconds)"]
            if let workdir = order.workdir { argv.append("--workdir=\(workdir)") }
            if let walltime = order.walltime { argv.append("--walltime-ms=\(walltime.milliseconds)") }
            argv += ["--"] + attempt.argv
            do throws(DetachedProcess.SpawnError) {
                let pid = try DetachedProcess.spawn(argv: argv, environment: environment, logPath: files.runnerLog(attempt.attempt))
                children.withLock { _ = $0.insert(pid) }
                ProcFileSystem.waitUntilTagged(pid, tag: Tag.attempt)
                let ticks = ProcFileSystem.stat(of: pid)?.startTicks ?? 0
                return AttemptOutcomeReport(task: id, attempt: attempt.attempt, jobID: "local:\(ProcessIdentity(pid: pid, startTicks: ticks))")
            } catch {
                return AttemptOutcomeReport(task: id, attempt: attempt.attempt, error: ProviderError(
                    code: "spawn-failed", message: "cannot start the attempt runner \(runner): \(error.message)"))
            }
        }
    }

    public func cancel(_ attempts: [ObservedAttempt]) async -> [AttemptOutcomeReport] {
        var reports: [AttemptOutcomeReport] = []
        for attempt in attempts {
            guard attempt.jobID.hasPrefix("local:"),
                  let identity = ProcessIdentity(parsing: String(attempt.jobID.dropFirst("local:".count))), identity.isAlive else {
                reports.append(AttemptOutcomeReport(task: attempt.task, attempt: attempt.attempt, jobID: attempt.jobID))
                continue
            }
            let owner = ownerTag(of: identity)
            // SIGUSR1 is orbrec's cancel: the runner stops the command's group and records a cancel.
            // A TERM from anyone else (a shutdown) is recorded as an interruption and retried.
            kill(identity.pid, SIGUSR1)
            var waited: Int64 = 0
            let limit = Self.grace.milliseconds + 3000
            while identity.isAlive && waited < limit {
                reap()
                try? await Task.sleep(for: .milliseconds(20))
                waited += 20
            }
            if identity.isAlive { kill(-identity.pid, SIGKILL) }
            // A runner stopped before it could record anything (the TERM came before it set up
            // its handler) leaves no result: record the cancel for it.
            let result = AttemptFiles(root: root, pool: attempt.task.pool, key: attempt.task.key).result(attempt.attempt)
            if !identity.isAlive && AttemptResult.read(from: result) == nil, let owner {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                try? AttemptResult(owner: owner, scheduler: name, pool: attempt.task.pool, key: attempt.task.key, attempt: attempt.attempt,
                                   exitCode: nil, signal: nil, timedOut: false, cancelled: true, startedAt: now, endedAt: now,
                                   host: ProcessInfo.processInfo.hostName).write(to: result)
            }
            reports.append(AttemptOutcomeReport(task: attempt.task, attempt: attempt.attempt, jobID: attempt.jobID,
                                                error: identity.isAlive ? ProviderError(code: "cancel-timeout", message: "runner \(identity.pid) did not stop", retryable: true) : nil))
        }
        return reports
    }

    /// The owner tag of a live runner.
    private func ownerTag(of identity: ProcessIdentity) -> String? {
        identity.isAlive ? ProcFileSystem.environment(of: identity.pid)[Tag.managedBy] : nil
    }

    private func reap() {
        children.withLock { pids in
            for pid in pids {
                var status: Int32 = 0
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid || (result < 0 && errno == ECHILD) { pids.remove(pid) }
            }
        }
    }
}
