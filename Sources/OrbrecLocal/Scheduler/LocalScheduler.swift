public import OrbrecCore
internal import OrbrecAttempts
internal import Foundation
internal import Glibc

/// The `local` scheduler: each attempt's command runs as a session leader tagged with the
/// attempt's identity, started and watched by an attempt supervisor (`orbrec _supervise`),
/// one per orbrec process and scheduler. The supervisor records each end in a result file
/// and announces it at once (`AttemptEnds`), and it outlives the orbrec that started it, so
/// an end is recorded even while orbrec is down.
public final class LocalScheduler: Scheduler {
    public let name: String
    /// `<state dir>/tasks`: outputs and results of every attempt.
    public let root: String
    /// The orbrec executable, started as `orbrec _supervise …`.
    private let runner: String
    private let baseEnvironment: [String: String]
    private let ends: AttemptEnds
    /// How many attempts run at once (the Scheduler's `slots`); nil: no limit.
    public let slots: Int?

    public static let grace = ConfigDuration.seconds(5)

    public init(name: String, root: String, runner: String, slots: Int? = nil, environment: [String: String]? = nil,
                ends: AttemptEnds = AttemptEnds()) {
        self.name = name
        self.slots = slots
        self.root = root
        self.runner = runner
        self.ends = ends
        baseEnvironment = (environment ?? ProcessInfo.processInfo.environment).filter { !$0.key.hasPrefix("ORBREC_") }
    }

    enum Tag {
        static let managedBy = "ORBREC_MANAGED_BY"
        static let scheduler = "ORBREC_SCHEDULER"
        static let pool = "ORBREC_POOL"
        static let key = "ORBREC_TASK_KEY"
        static let attempt = "ORBREC_ATTEMPT"
        static let action = "ORBREC_ACTION"
        /// `PID:TICKS` of the supervisor that started the command: a command whose supervisor
        /// is gone has no one to record its end.
        static let supervisor = "ORBREC_SUPERVISOR"
        static let role = "ORBREC_ROLE"
    }

    public var announcesEnds: Bool { true }

    /// The supervisor queues what it is given beyond its slots and starts it as they free:
    /// the engine keeps this many more attempts ordered than there are slots, so that a slot
    /// is refilled the moment it frees rather than after orbrec's next journal write.
    public var queueAhead: Int { slots.map { min(64, max(8, $0)) } ?? 0 }

    /// The job of an attempt taken by a supervisor's queue: `local:queue:PID:TICKS`, the
    /// supervisor's identity (the command's own is known only once it starts).
    static let queuedPrefix = "local:queue:"

    static func queuingSupervisor(of jobID: String) -> ProcessIdentity? {
        guard jobID.hasPrefix(queuedPrefix) else { return nil }
        return ProcessIdentity(parsing: String(jobID.dropFirst(queuedPrefix.count)))
    }

    /// Every attempt of `owner` this scheduler runs or has a result for: every process and
    /// every result file (after a crash, to find what an interrupted submit started).
    public func attempts(ownedBy owner: String) async throws -> [ObservedAttempt] {
        var found: [TaskID: [Int: ObservedAttempt]] = [:]
        // Processes first, results second: an attempt that ends between the two reads is then
        // seen ended, never missed (its result is written before its process is reaped). A
        // command that has just ended is a zombie until its supervisor has written its result:
        // while a supervisor of ours has one, the processes are looked at again a moment later.
        var leaders: Set<Int32> = []
        var orphans: [Int32] = []
        for look in 0..<50 {
            found = [:]
            leaders = []
            orphans = []
            var supervisors: Set<Int32> = []
            var zombieParents: Set<Int32> = []
            for pid in ProcFileSystem.processIDs() {
                guard let stat = ProcFileSystem.stat(of: pid) else { continue }
                if stat.state == "Z" {
                    zombieParents.insert(stat.parent)
                    continue
                }
                // Only a session leader (a command, a supervisor, or an older orbrec's runner) or a
                // process whose session leader is gone can be ours: no other environment is read.
                if stat.session != pid, let leader = ProcFileSystem.stat(of: stat.session), leader.state != "Z" { continue }
                let tags = ProcFileSystem.environment(of: pid)
                guard tags[Tag.managedBy] == owner, tags[Tag.scheduler] == name else { continue }
                if tags[Tag.role] == "supervisor" {
                    supervisors.insert(pid)
                    continue
                }
                guard let pool = tags[Tag.pool], let key = tags[Tag.key], let attempt = tags[Tag.attempt].flatMap(Int.init) else { continue }
                guard stat.session == pid, !Self.supervisorIsGone(tags) else {
                    // A command no one will record (its supervisor or runner was killed) must not run beside its retry.
                    orphans.append(pid)
                    continue
                }
                leaders.insert(pid)
                let id = TaskID(pool: pool, key: key)
                let identity = ProcessIdentity(pid: pid, startTicks: stat.startTicks)
                found[id, default: [:]][attempt] = ObservedAttempt(scheduler: name, task: id, attempt: attempt, jobID: "local:\(identity)")
            }
            if supervisors.isDisjoint(with: zombieParents) || look == 49 { break }
            try? await Task.sleep(for: .milliseconds(5))
        }
        for pid in orphans {
            guard let stat = ProcFileSystem.stat(of: pid), !leaders.contains(stat.session) else { continue }
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

    /// The journal's open attempts as they are now, looked up one by one (their process by its
    /// job id, then their result file): the cost is that of the open attempts, not of every
    /// attempt ever run. An open attempt found nowhere is left out (the engine takes it as lost).
    public func attempts(ownedBy owner: String, open: [AttemptHandle]) async throws -> [ObservedAttempt] {
        var observed: [ObservedAttempt] = []
        let mine = open.filter { $0.scheduler == name }
        // An attempt without a job (its submit's answer was lost, or its job was not journaled
        // yet) can be found only by its tags: the whole look, rare, which also stops commands
        // whose supervisor is gone. One waiting in this process's supervisor's queue has no
        // process yet: asked first, so that one leaving the queue meanwhile is seen started.
        var unaccounted: [AttemptHandle] = []
        let client = SupervisorClient.existing(owner: owner, scheduler: name, root: root)
        for handle in mine where handle.jobID == nil {
            if let client, client.isWaiting(AttemptKey(task: handle.task, attempt: handle.attempt)) {
                observed.append(ObservedAttempt(scheduler: name, task: handle.task, attempt: handle.attempt,
                                                jobID: Self.queuedPrefix + client.identity.description))
            } else {
                unaccounted.append(handle)
            }
        }
        for handle in mine where handle.jobID != nil {
            let files = AttemptFiles(root: root, pool: handle.task.pool, key: handle.task.key)
            func ended() -> ObservedAttempt? {
                guard let result = AttemptResult.read(from: files.result(handle.attempt)), result.owner == owner, result.scheduler == name else {
                    return nil
                }
                return ObservedAttempt(scheduler: name, task: handle.task, attempt: handle.attempt,
                                       jobID: handle.jobID ?? "local:\(handle.task.pool)/\(handle.task.key)#\(handle.attempt)",
                                       outcome: result.outcome)
            }
            if let jobID = handle.jobID, let supervisor = Self.queuingSupervisor(of: jobID) {
                // Taken by a supervisor's queue: while it runs, the attempt waits or runs under it
                // (it records every end, even of what it never started); once it is gone, only
                // the result it left, or the whole look, tells.
                if let end = ended() {
                    observed.append(end)
                } else if supervisor.isAlive {
                    observed.append(ObservedAttempt(scheduler: name, task: handle.task, attempt: handle.attempt, jobID: jobID))
                } else if let end = ended() {
                    observed.append(end)
                } else {
                    unaccounted.append(handle)
                }
                continue
            }
            if let jobID = handle.jobID, let identity = Self.identity(of: jobID),
               let stat = ProcFileSystem.stat(of: identity.pid), stat.startTicks == identity.startTicks {
                // A zombie is being recorded by its supervisor right now: still running.
                if stat.state == "Z" || !Self.supervisorIsGone(ProcFileSystem.environment(of: identity.pid)) {
                    observed.append(ObservedAttempt(scheduler: name, task: handle.task, attempt: handle.attempt, jobID: jobID))
                    continue
                }
                kill(-stat.processGroup, SIGKILL)
            }
            if let end = ended() { observed.append(end) }
        }
        if !unaccounted.isEmpty {
            let everything = Dictionary(try await attempts(ownedBy: owner).map { (AttemptKey(task: $0.task, attempt: $0.attempt), $0) },
                                        uniquingKeysWith: { first, _ in first })
            observed += unaccounted.compactMap { everything[AttemptKey(task: $0.task, attempt: $0.attempt)] }
        }
        return observed
    }

    public func submit(_ order: SubmitOrder) async -> [AttemptOutcomeReport] {
        let client: SupervisorClient
        do {
            client = try SupervisorClient.shared(runner: runner, owner: order.owner, scheduler: name, root: root,
                                                 grace: Self.grace.milliseconds, environment: baseEnvironment, ends: ends)
        } catch {
            let problem = error as? ProviderError ?? ProviderError(code: "spawn-failed", message: "\(error)")
            return order.attempts.map { AttemptOutcomeReport(task: TaskID(pool: order.pool, key: $0.key), attempt: $0.attempt, error: problem) }
        }
        let replies = await client.start(order.attempts.map { attempt in
            SupervisorOrder(op: .start, pool: order.pool, key: attempt.key, attempt: attempt.attempt, action: order.actionID,
                            argv: attempt.argv, env: order.env, workdir: order.workdir, walltimeMs: order.walltime?.milliseconds,
                            slots: slots, poolSlots: order.parallelism)
        })
        return zip(order.attempts, replies).map { attempt, reply in
            let id = TaskID(pool: order.pool, key: attempt.key)
            switch reply.kind {
            case .started:
                let jobID = reply.pid.map { "local:\(ProcessIdentity(pid: $0, startTicks: reply.ticks ?? 0))" }
                    ?? "local:\(order.pool)/\(attempt.key)#\(attempt.attempt)"
                return AttemptOutcomeReport(task: id, attempt: attempt.attempt, jobID: jobID)
            case .queued:
                return AttemptOutcomeReport(task: id, attempt: attempt.attempt, jobID: Self.queuedPrefix + client.identity.description)
            case .gone:
                return AttemptOutcomeReport(task: id, attempt: attempt.attempt, error: ProviderError(
                    code: ProviderError.outcomeUnknown, message: reply.message ?? "the attempt supervisor went away", retryable: true))
            case .failed where reply.permanent == true:
                return AttemptOutcomeReport(task: id, attempt: attempt.attempt, error: ProviderError(
                    code: ProviderError.cannotStart, message: reply.message ?? "the attempt can never start"))
            case .failed, .ended, .stopping:
                return AttemptOutcomeReport(task: id, attempt: attempt.attempt, error: ProviderError(
                    code: "not-started", message: reply.message ?? "the attempt supervisor did not start it"))
            }
        }
    }

    public func cancel(_ attempts: [ObservedAttempt]) async -> [AttemptOutcomeReport] {
        var stopping: [(ObservedAttempt, ProcessIdentity, String?)] = []
        var reports: [AttemptOutcomeReport] = []
        // Attempts a supervisor's queue took: the marker stops one that has not left the queue
        // (the supervisor records it cancelled); one that has is found by its tags and stopped.
        var queued: [(attempt: ObservedAttempt, supervisor: ProcessIdentity, result: String)] = []
        for attempt in attempts {
            guard let supervisor = Self.queuingSupervisor(of: attempt.jobID) else { continue }
            let result = AttemptFiles(root: root, pool: attempt.task.pool, key: attempt.task.key).result(attempt.attempt)
            close(open(result + ".cancel", O_WRONLY | O_CREAT | O_CLOEXEC, 0o640))
            queued.append((attempt, supervisor, result))
        }
        let leftQueue = queued.isEmpty ? [:] : commands(of: queued.map(\.attempt))
        var waiting: [(attempt: ObservedAttempt, supervisor: ProcessIdentity, result: String)] = []
        for item in queued {
            if let (identity, owner) = leftQueue[AttemptKey(task: item.attempt.task, attempt: item.attempt.attempt)] {
                kill(-identity.pid, SIGTERM)
                stopping.append((item.attempt, identity, owner))
            } else {
                // Still waiting: its supervisor ends it at once (USR1: look at the queue's markers).
                if item.supervisor.isAlive { kill(item.supervisor.pid, SIGUSR1) }
                waiting.append(item)
            }
        }
        func stillQueued(_ item: (attempt: ObservedAttempt, supervisor: ProcessIdentity, result: String)) -> Bool {
            access(item.result, F_OK) != 0 && item.supervisor.isAlive
        }
        for attempt in attempts where Self.queuingSupervisor(of: attempt.jobID) == nil {
            guard let identity = Self.identity(of: attempt.jobID), identity.isAlive else {
                reports.append(AttemptOutcomeReport(task: attempt.task, attempt: attempt.attempt, jobID: attempt.jobID))
                continue
            }
            let result = AttemptFiles(root: root, pool: attempt.task.pool, key: attempt.task.key).result(attempt.attempt)
            // The marker first: whichever supervisor records the end then records a cancel.
            close(open(result + ".cancel", O_WRONLY | O_CREAT | O_CLOEXEC, 0o640))
            let tags = ProcFileSystem.environment(of: identity.pid)
            if tags[Tag.supervisor] == nil {
                // An older orbrec's runner: SIGUSR1 is its cancel.
                kill(identity.pid, SIGUSR1)
            } else {
                kill(-identity.pid, SIGTERM)
            }
            stopping.append((attempt, identity, tags[Tag.managedBy]))
        }
        var waited: Int64 = 0
        let limit = Self.grace.milliseconds + 3000
        while (stopping.contains(where: { $0.1.isAlive }) || waiting.contains(where: stillQueued)) && waited < limit {
            try? await Task.sleep(for: .milliseconds(10))
            waited += 10
        }
        for (attempt, identity, owner) in stopping {
            if identity.isAlive { kill(-identity.pid, SIGKILL) }
            // A command whose supervisor was gone leaves no result: record the cancel for it.
            let result = AttemptFiles(root: root, pool: attempt.task.pool, key: attempt.task.key).result(attempt.attempt)
            if !identity.isAlive && AttemptResult.read(from: result) == nil && !Self.isZombie(identity), let owner {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                try? AttemptResult(owner: owner, scheduler: name, pool: attempt.task.pool, key: attempt.task.key, attempt: attempt.attempt,
                                   exitCode: nil, signal: nil, timedOut: false, cancelled: true, startedAt: now, endedAt: now,
                                   host: ProcessInfo.processInfo.hostName).write(to: result)
            }
            reports.append(AttemptOutcomeReport(task: attempt.task, attempt: attempt.attempt, jobID: attempt.jobID,
                                                error: identity.isAlive ? ProviderError(code: "cancel-timeout", message: "attempt \(identity.pid) did not stop", retryable: true) : nil))
        }
        for item in waiting {
            reports.append(AttemptOutcomeReport(task: item.attempt.task, attempt: item.attempt.attempt, jobID: item.attempt.jobID,
                                                error: stillQueued(item) ? ProviderError(code: "cancel-timeout", message: "the attempt supervisor did not record the cancel", retryable: true) : nil))
        }
        return reports
    }

    /// The running commands of `attempts` (which a supervisor's queue took), found by their
    /// tags in one look at every process, with the state that owns each.
    private func commands(of attempts: [ObservedAttempt]) -> [AttemptKey: (ProcessIdentity, String?)] {
        let wanted = Set(attempts.map { AttemptKey(task: $0.task, attempt: $0.attempt) })
        let supervisors = Set(attempts.compactMap { Self.queuingSupervisor(of: $0.jobID)?.description })
        var found: [AttemptKey: (ProcessIdentity, String?)] = [:]
        for pid in ProcFileSystem.processIDs() {
            guard let stat = ProcFileSystem.stat(of: pid), stat.session == pid, stat.state != "Z" else { continue }
            let tags = ProcFileSystem.environment(of: pid)
            guard tags[Tag.scheduler] == name, let supervisor = tags[Tag.supervisor], supervisors.contains(supervisor),
                  let pool = tags[Tag.pool], let key = tags[Tag.key], let attempt = tags[Tag.attempt].flatMap(Int.init) else { continue }
            let id = AttemptKey(task: TaskID(pool: pool, key: key), attempt: attempt)
            if wanted.contains(id) { found[id] = (ProcessIdentity(pid: pid, startTicks: stat.startTicks), tags[Tag.managedBy]) }
        }
        return found
    }

    static func identity(of jobID: String) -> ProcessIdentity? {
        guard jobID.hasPrefix("local:") else { return nil }
        return ProcessIdentity(parsing: String(jobID.dropFirst("local:".count)))
    }

    private static func isZombie(_ identity: ProcessIdentity) -> Bool {
        guard let stat = ProcFileSystem.stat(of: identity.pid) else { return false }
        return stat.startTicks == identity.startTicks && stat.state == "Z"
    }

    /// Whether the tags name a supervisor that no longer runs.
    static func supervisorIsGone(_ tags: [String: String]) -> Bool {
        guard let supervisor = tags[Tag.supervisor] else { return false }
        return ProcessIdentity(parsing: supervisor).map { !$0.isAlive } ?? true
    }
}
