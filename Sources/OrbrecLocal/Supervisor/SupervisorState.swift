internal import Foundation
internal import OrbrecAttempts
internal import OrbrecProcess
internal import Glibc

/// The supervisor's attempts in flight, and what it does with orders, ends and deadlines.
struct SupervisorState {
    /// One command the supervisor started and has not yet recorded.
    struct Running {
        var pool: String
        var key: String
        var attempt: Int
        var files: AttemptFiles
        var startedAt: Int64
        var deadline: Int64?
        var killAt: Int64?
        var ticks: UInt64 = 0
        var timedOut = false
        var interrupted = false
    }

    let options: AttemptSupervisor.Options
    /// The supervisor's own environment, without orbrec's tags: every command's base.
    let baseEnvironment: [String: String]
    let identity: String
    let host: String
    /// The orbrec that started it: once it is gone (its parent changed), orders still in the
    /// pipe are not started, for a rerun's recovery may already have taken them for lost.
    /// Given by orbrec, so that an orbrec killed before the supervisor got going is not
    /// mistaken for the init process that adopted it.
    let parent: pid_t
    private var running: [pid_t: Running] = [:]

    init(options: AttemptSupervisor.Options) {
        self.options = options
        parent = options.parent ?? getppid()
        baseEnvironment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ORBREC_") }
        identity = ProcessIdentity.current().description
        host = ProcessInfo.processInfo.hostName
    }

    /// Orders taken but not started: they wait for a slot (the scheduler's, their pool's).
    private var queue: [SupervisorOrder] = []
    private var runningByPool: [String: Int] = [:]

    var isIdle: Bool { running.isEmpty && queue.isEmpty }

    // MARK: Orders

    mutating func handle(_ order: SupervisorOrder, refusing: Bool) {
        switch order.op {
        case .start:
            if refusing {
                refuse(order, "the supervisor is stopping")
            } else if getppid() != parent {
                refuse(order, "its orbrec is gone")
            } else {
                let files = AttemptFiles(root: options.root, pool: order.pool, key: order.key)
                // Made when the order comes, so that what cannot be made is refused at once, not
                // after the order was taken. Made every time (EEXIST costs a syscall): a tasks
                // directory removed meanwhile is made again.
                guard Self.makeDirectories(files.directory) else {
                    let code = errno
                    return refuse(order, "cannot create \(files.directory): \(String(cString: strerror(code)))", permanent: code == ENAMETOOLONG)
                }
                // Behind what waits of its own pool, never before it; another pool's full
                // parallelism does not hold it back.
                admit()
                if fits(order) && !queue.contains(where: { $0.pool == order.pool }) {
                    start(order, files: files, queued: false)
                } else {
                    queue.append(order)
                    reply(SupervisorReply(kind: .queued, pool: order.pool, key: order.key, attempt: order.attempt, seq: order.seq))
                }
            }
        }
    }

    /// Whether a slot is free for `order`: the scheduler's and its pool's.
    private func fits(_ order: SupervisorOrder) -> Bool {
        running.count < (order.slots ?? Int.max) && runningByPool[order.pool, default: 0] < (order.poolSlots ?? Int.max)
    }

    /// Starts queued orders, in the order they came, as far as slots allow (an order whose pool
    /// is full waits without holding back another pool's).
    mutating func admit() {
        var index = 0
        while index < queue.count {
            let order = queue[index]
            // Checked before each start: a rerun's recovery may already take what waits for lost.
            guard getppid() == parent else { return dropQueue("its orbrec is gone") }
            guard fits(order) else {
                index += 1
                continue
            }
            queue.remove(at: index)
            start(order, files: AttemptFiles(root: options.root, pool: order.pool, key: order.key), queued: true)
        }
    }

    /// Ends, as cancelled and without starting them, the queued orders whose cancel marker is there.
    mutating func endCancelledInQueue() {
        var kept: [SupervisorOrder] = []
        for order in queue {
            let files = AttemptFiles(root: options.root, pool: order.pool, key: order.key)
            guard access(files.result(order.attempt) + ".cancel", F_OK) == 0 else {
                kept.append(order)
                continue
            }
            endAtOnce(Running(pool: order.pool, key: order.key, attempt: order.attempt, files: files, startedAt: Clocks.now()),
                      seq: order.seq, exitCode: nil)
        }
        queue = kept
    }

    /// Ends every queued order without starting it: each is recorded interrupted (infra, not
    /// counted) in its result file, so whoever looks next retries it.
    mutating func dropQueue(_ reason: String) {
        let dropped = queue
        queue = []
        for order in dropped {
            let files = AttemptFiles(root: options.root, pool: order.pool, key: order.key)
            note(files.stderr(order.attempt), "orbrec: not started: \(reason)")
            var run = Running(pool: order.pool, key: order.key, attempt: order.attempt, files: files, startedAt: Clocks.now())
            run.interrupted = true
            record(run, pid: nil, exitCode: nil, signal: nil)
        }
    }

    /// Tells orbrec it takes no more orders (it was told to stop).
    func announceStopping() {
        reply(SupervisorReply(kind: .stopping, pool: "", key: "", attempt: 0))
    }

    private func refuse(_ order: SupervisorOrder, _ message: String, permanent: Bool = false) {
        reply(SupervisorReply(kind: .failed, pool: order.pool, key: order.key, attempt: order.attempt, seq: order.seq, message: message,
                              permanent: permanent ? true : nil))
    }

    /// Starts one order's command. A `queued` order was answered already: what stops it from
    /// starting is then recorded as its end (a result file), never a refusal no one waits for.
    private mutating func start(_ order: SupervisorOrder, files: AttemptFiles, queued: Bool) {
        let now = Clocks.now()
        var run = Running(pool: order.pool, key: order.key, attempt: order.attempt, files: files, startedAt: now,
                          deadline: order.walltimeMs.map { now + $0 })
        if queued {
            // Cancelled while it waited: it ends without running.
            if access(files.result(order.attempt) + ".cancel", F_OK) == 0 {
                return endAtOnce(run, seq: order.seq, exitCode: nil)
            }
            guard Self.makeDirectories(files.directory) else {
                note(files.stderr(order.attempt), "orbrec: cannot create \(files.directory): \(String(cString: strerror(errno)))")
                run.interrupted = true
                return endAtOnce(run, seq: order.seq, exitCode: nil)
            }
        }
        let argv = order.argv ?? []
        var environment = baseEnvironment.merging(order.env ?? [:]) { _, pool in pool }
        environment[LocalScheduler.Tag.managedBy] = options.owner
        environment[LocalScheduler.Tag.scheduler] = options.scheduler
        environment[LocalScheduler.Tag.pool] = order.pool
        environment[LocalScheduler.Tag.key] = order.key
        environment[LocalScheduler.Tag.attempt] = String(order.attempt)
        environment[LocalScheduler.Tag.action] = order.action ?? ""
        environment[LocalScheduler.Tag.supervisor] = identity
        if let workdir = order.workdir {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: workdir, isDirectory: &isDirectory), isDirectory.boolValue else {
                note(files.stderr(order.attempt), "orbrec: cannot enter workdir \(workdir): no such directory")
                return endAtOnce(run, seq: order.seq, exitCode: 126)
            }
        }
        guard !argv.isEmpty else {
            note(files.stderr(order.attempt), "orbrec: the attempt has no command")
            return endAtOnce(run, seq: order.seq, exitCode: 126)
        }
        do throws(SpawnError) {
            let pid = try DetachedProcess.spawn(ProcessLaunch(argv, environment: environment, workingDirectory: order.workdir,
                                                              stdout: .file(files.stdout(order.attempt)),
                                                              stderr: .file(files.stderr(order.attempt)), grouping: .session))
            run.ticks = ProcFileSystem.stat(of: pid)?.startTicks ?? 0
            running[pid] = run
            runningByPool[order.pool, default: 0] += 1
            reply(SupervisorReply(kind: .started, pool: order.pool, key: order.key, attempt: order.attempt, seq: order.seq, pid: pid,
                                  ticks: run.ticks))
            // A cancel that came while it left the queue: its marker was written before orbrec
            // looked for the process, so either orbrec finds it or this sees the marker.
            if queued && access(files.result(order.attempt) + ".cancel", F_OK) == 0 { stop(pid, now: now) { _ in } }
        } catch {
            switch error.code {
            case ENOENT where access(files.directory, W_OK) == 0, EACCES, ENOEXEC, ENOTDIR, EISDIR:
                // The command's own fault, as a shell reports it: 127 not found, 126 not runnable.
                note(files.stderr(order.attempt), "orbrec: cannot start '\(argv[0])': \(String(cString: strerror(error.code)))")
                endAtOnce(run, seq: order.seq, exitCode: error.code == ENOENT ? 127 : 126)
            default:
                // The host's (no memory, no processes, no descriptors): nothing started, an infra failure.
                let message = "cannot start '\(argv[0])': \(String(cString: strerror(error.code)))"
                guard queued else { return refuse(order, message) }
                note(files.stderr(order.attempt), "orbrec: " + message)
                run.interrupted = true
                endAtOnce(run, seq: order.seq, exitCode: nil)
            }
        }
    }

    /// A command that could not start ends as it would under a shell: 127 not found, 126 not
    /// runnable; nil: it never ran (cancelled or interrupted while it waited).
    private func endAtOnce(_ run: Running, seq: Int?, exitCode: Int?) {
        reply(SupervisorReply(kind: .started, pool: run.pool, key: run.key, attempt: run.attempt, seq: seq))
        record(run, pid: nil, exitCode: exitCode, signal: nil)
    }

    // MARK: Ends

    /// Records every command that has ended: its group is stopped, its result written, orbrec
    /// told, and only then is it reaped, so that a process seen gone always has its result.
    mutating func reap() {
        while true {
            var info = siginfo_t()
            guard waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return }
            let pid = info._sifields._sigchld.si_pid
            guard pid > 0 else { return }
            if let run = running.removeValue(forKey: pid) {
                runningByPool[run.pool, default: 1] -= 1
                // Anything the command left in its group goes with it (the zombie keeps the group id ours).
                kill(-pid, SIGKILL)
                let status = info._sifields._sigchld.si_status
                if info.si_code == CLD_EXITED {
                    record(run, pid: pid, exitCode: Int(status), signal: nil)
                } else {
                    record(run, pid: pid, exitCode: nil, signal: Int(status))
                }
            }
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
    }

    private func record(_ run: Running, pid: pid_t?, exitCode: Int?, signal: Int?) {
        let resultPath = run.files.result(run.attempt)
        // orbrec's cancel leaves this marker before it signals the command.
        let cancelled = access(resultPath + ".cancel", F_OK) == 0
        let result = AttemptResult(owner: options.owner, scheduler: options.scheduler, pool: run.pool, key: run.key, attempt: run.attempt,
                                   exitCode: exitCode, signal: signal, timedOut: run.timedOut && !cancelled, cancelled: cancelled,
                                   interrupted: run.interrupted && !cancelled && !run.timedOut,
                                   startedAt: run.startedAt, endedAt: Clocks.now(), host: host)
        do {
            try result.write(to: resultPath)
        } catch {
            note(run.files.stderr(run.attempt), "orbrec: cannot write the result \(resultPath): \(error)")
        }
        reply(SupervisorReply(kind: .ended, pool: run.pool, key: run.key, attempt: run.attempt, pid: pid, ticks: pid == nil ? nil : run.ticks,
                              result: result))
    }

    // MARK: Deadlines

    /// Walltimes stop their group (TERM, then KILL after the grace period).
    mutating func enforceDeadlines(now: Int64) {
        for (pid, run) in running {
            if run.killAt == nil, let deadline = run.deadline, now >= deadline {
                stop(pid, now: now) { $0.timedOut = true }
            } else if let killAt = run.killAt, now >= killAt {
                kill(-pid, SIGKILL)
                running[pid]?.killAt = Int64.max
            }
        }
    }

    mutating func interruptAll(now: Int64) {
        for pid in running.keys { stop(pid, now: now) { $0.interrupted = true } }
    }

    private mutating func stop(_ pid: pid_t, now: Int64, marking: (inout Running) -> Void) {
        guard var run = running[pid], run.killAt == nil else { return }
        marking(&run)
        run.killAt = now + options.graceMilliseconds
        running[pid] = run
        kill(-pid, SIGTERM)
    }

    /// Milliseconds until the next deadline, or -1 when none is set.
    func pollTimeout(now: Int64) -> Int32 {
        let next = running.values.compactMap { $0.killAt ?? $0.deadline }.filter { $0 != Int64.max }.min()
        guard let next else { return -1 }
        return Int32(clamping: max(0, next - now))
    }

    // MARK: Output

    private func reply(_ message: SupervisorReply) {
        let bytes = SupervisorCoding.encodeLine(message)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return  // orbrec is gone; the result file still holds the end.
            }
            offset += written
        }
    }

    private func note(_ path: String, _ message: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return }
        _ = (message + "\n").withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) -> Bool {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return true }
        guard errno == ENOENT else { return false }
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty, parent != path, makeDirectories(parent) else { return false }
        return mkdir(path, 0o755) == 0 || errno == EEXIST
    }
}
