internal import Dispatch
internal import Glibc
internal import Synchronization

/// A child orbrec starts and waits for without blocking a thread: an argv with its
/// environment, directory and stdin, its stdout and stderr captured up to a limit (or sent
/// to files), a timeout (TERM to its group, KILL after a grace), and an `async` wait.
///
/// The end is learnt from a pidfd (Linux 5.3+) watched by a dispatch source, that is, from
/// the epoll loop dispatch already runs: no thread per child, nothing parked in Swift's
/// cooperative pool (two threads on a two-core host), and no SIGCHLD handler, which would
/// fight the attempt runner's and the supervisor's own. The pidfd says the child ended before
/// it is reaped, so whatever it left in its group can still be killed while the zombie leader
/// keeps the group's id from being reused. Where pidfd_open is refused (an old kernel, a
/// seccomp filter), one waitid per child on a dispatch thread outside the cooperative pool.
///
/// Sendable by confinement: every mutable field is touched on `queue` only.
public final class ChildProcess: @unchecked Sendable {
    public let pid: Int32
    private let signalsGroup: Bool
    private let endsGroupAtExit: Bool
    private let queue: DispatchQueue

    private var stdoutReader: OutputReader?
    private var stderrReader: OutputReader?
    private var input: InputWriter?
    private var exitWatch: (any DispatchSourceRead)?
    private var timers: [any DispatchSourceTimer] = []
    private var timedOut = false
    private var ended: ChildExit?
    private var waiters: [Int: (ChildExit?) -> Void] = [:]
    /// Waiters whose task was cancelled before they were in `waiters`.
    private var cancelledWaiters: Set<Int> = []
    /// Taken off the queue, so a cancellation can name its waiter before it is registered.
    private let waiterIDs = Atomic<Int>(0)

    /// Starts `launch`. With `timeout`, the child (its whole group, unless `grouping` is
    /// `.inherit`) gets TERM once it has run that long and KILL `grace` later. With
    /// `endsGroupAtExit`, what it left running in its group is killed when it ends.
    public static func start(_ launch: ProcessLaunch, timeout: Duration? = nil, grace: Duration = .seconds(2),
                             endsGroupAtExit: Bool = false) throws(SpawnError) -> ChildProcess {
        let program = launch.argv.first ?? ""
        var spawned = launch
        var ours: [Int32] = []    // orbrec's ends, kept
        var theirs: [Int32] = []  // the child's ends, closed here once it has them
        func pipe() throws(SpawnError) -> (read: Int32, write: Int32) {
            guard let made = Pipes.make(flags: O_CLOEXEC) else {
                let code = errno
                (ours + theirs).forEach { _ = close($0) }
                throw SpawnError(code: code, program: program)
            }
            return made
        }
        /// A captured stream becomes a pipe: its write end for the child, its read end watched here.
        func captured(_ output: ProcessLaunch.Output) throws(SpawnError) -> (child: ProcessLaunch.Output, ours: (fd: Int32, limit: Int)?) {
            guard case .capture(let limit) = output else { return (output, nil) }
            let made = try pipe()
            ours.append(made.read)
            theirs.append(made.write)
            return (.descriptor(made.write), (made.read, limit))
        }
        var inputBytes: [UInt8]?
        var stdinFD: Int32?
        if case .bytes(let bytes) = launch.stdin {
            ignoreBrokenPipes()
            let made = try pipe()
            ours.append(made.write)
            theirs.append(made.read)
            spawned.stdin = .descriptor(made.read)
            stdinFD = made.write
            inputBytes = bytes
        }
        let stdout = try captured(launch.stdout)
        let stderr = try captured(launch.stderr)
        spawned.stdout = stdout.child
        spawned.stderr = stderr.child
        let pid: pid_t
        do {
            pid = try Spawner.spawn(spawned)
        } catch {
            (ours + theirs).forEach { _ = close($0) }
            throw error
        }
        theirs.forEach { _ = close($0) }
        let child = ChildProcess(pid: pid, signalsGroup: launch.grouping != .inherit, endsGroupAtExit: endsGroupAtExit)
        child.watch(stdin: stdinFD.map { ($0, inputBytes ?? []) }, stdout: stdout.ours, stderr: stderr.ours, timeout: timeout, grace: grace)
        return child
    }

    private init(pid: pid_t, signalsGroup: Bool, endsGroupAtExit: Bool) {
        self.pid = pid
        self.signalsGroup = signalsGroup
        self.endsGroupAtExit = endsGroupAtExit
        queue = DispatchQueue(label: "orbrec.child.\(pid)")
    }

    /// Sets the watchers up on `queue`, so none of their handlers runs before all are in place.
    private func watch(stdin: (fd: Int32, bytes: [UInt8])?, stdout: (fd: Int32, limit: Int)?, stderr: (fd: Int32, limit: Int)?,
                       timeout: Duration?, grace: Duration) {
        queue.sync {
            if let stdin { input = InputWriter(fd: stdin.fd, bytes: stdin.bytes, queue: queue) }
            if let stdout { stdoutReader = OutputReader(fd: stdout.fd, limit: stdout.limit, queue: queue) }
            if let stderr { stderrReader = OutputReader(fd: stderr.fd, limit: stderr.limit, queue: queue) }
            let pidfd = pidfdOpen(pid)
            if pidfd >= 0 {
                // The handler holds the child until it has ended: a caller may drop it and never wait.
                let source = DispatchSource.makeReadSource(fileDescriptor: pidfd, queue: queue)
                source.setEventHandler { self.childEnded() }
                source.setCancelHandler { _ = close(pidfd) }
                exitWatch = source
                source.resume()
            } else {
                let pid = pid
                DispatchQueue(label: "orbrec.child.wait.\(pid)").async {
                    var info = siginfo_t()
                    while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
                    self.queue.async { self.childEnded() }
                }
            }
            if let timeout {
                after(timeout) { [self] in
                    // An exit that came just before the timer, its end not handled yet, is no timeout.
                    guard !hasExited() else { return }
                    timedOut = true
                    send(SIGTERM)
                    after(grace) { [self] in send(SIGKILL) }
                }
            }
        }
    }

    // MARK: Waiting

    /// Waits for the child's end (and the last of its captured output). Returns at once when
    /// it has already ended; any number of tasks may wait. Cancelling the task does not end the
    /// wait (nor the child): `run` and `terminate` are for that.
    public func wait() async -> ChildExit {
        let id = waiterIDs.add(1, ordering: .relaxed).newValue
        let exit = await withCheckedContinuation { (continuation: CheckedContinuation<ChildExit?, Never>) in
            queue.async { [self] in
                if let ended { return continuation.resume(returning: ended) }
                waiters[id] = { continuation.resume(returning: $0) }
            }
        }
        return exit!
    }

    /// Waits at most `limit`, or until the task is cancelled: nil when the child still runs
    /// (it is left running, and still reaped when it ends).
    public func wait(atMost limit: Duration) async -> ChildExit? {
        let id = waiterIDs.add(1, ordering: .relaxed).newValue
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ChildExit?, Never>) in
                queue.async { [self] in
                    if let ended { return continuation.resume(returning: ended) }
                    if cancelledWaiters.remove(id) != nil { return continuation.resume(returning: nil) }
                    waiters[id] = { continuation.resume(returning: $0) }
                    queue.asyncAfter(deadline: .now() + limit.dispatchInterval) { [self] in
                        waiters.removeValue(forKey: id)?(nil)
                    }
                }
            }
        } onCancel: {
            queue.async { [self] in
                if let waiter = waiters.removeValue(forKey: id) {
                    waiter(nil)
                } else if ended == nil {
                    cancelledWaiters.insert(id)
                }
            }
        }
    }

    // MARK: Signals

    /// Sends `number` to the child (its group, unless it shares orbrec's); nothing once it has ended.
    public func signal(_ number: Int32) {
        queue.async { [self] in send(number) }
    }

    /// TERM now, KILL after `grace` if it has not ended by then.
    public func terminate(grace: Duration = .seconds(2)) {
        queue.async { [self] in
            send(SIGTERM)
            after(grace) { [self] in send(SIGKILL) }
        }
    }

    /// Whether the child has ended (a zombie not reaped yet), without reaping it.
    private func hasExited() -> Bool {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0 {
            if errno != EINTR { return ended != nil }
        }
        return info._sifields._sigchld.si_pid == pid
    }

    /// Only before the reap: until then the pid (and the group's id) cannot be anyone else's.
    private func send(_ number: Int32) {
        guard ended == nil else { return }
        _ = kill(signalsGroup ? -pid : pid, number)
    }

    private func after(_ delay: Duration, _ action: @escaping () -> Void) {
        guard ended == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + delay.dispatchInterval)
        timer.setEventHandler(handler: action)
        timers.append(timer)
        timer.resume()
    }

    // MARK: The end

    private func childEnded() {
        guard ended == nil else { return }
        if endsGroupAtExit && signalsGroup { _ = kill(-pid, SIGKILL) }
        // What the child wrote is in the pipes by now; a grandchild that kept them open (an ssh
        // master, a daemon) does not hold the wait up.
        // A grandchild that keeps writing would keep the last read going for ever: what the
        // child left is read, up to a bound.
        for reader in [stdoutReader, stderrReader] {
            _ = reader?.drain(atMost: OutputReader.finalReads)
            reader?.close()
        }
        input?.close()
        var status: Int32 = 0
        var termination = ChildExit.Termination.unseen
        while true {
            if waitpid(pid, &status, 0) == pid {
                termination = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
                break
            }
            if errno != EINTR { break }
        }
        exitWatch?.cancel()
        exitWatch = nil
        timers.forEach { $0.cancel() }
        timers = []
        let exit = ChildExit(termination: termination, timedOut: timedOut,
                             stdout: stdoutReader?.output ?? CapturedOutput(), stderr: stderrReader?.output ?? CapturedOutput())
        ended = exit
        stdoutReader = nil
        stderrReader = nil
        input = nil
        let waiting = waiters
        waiters = [:]
        waiting.values.forEach { $0(exit) }
    }

    /// A child that exits without reading its stdin must give orbrec EPIPE, not a SIGPIPE that
    /// kills it (the orbrec command ignores SIGPIPE already; a test process does not).
    private static func ignoreBrokenPipes() {
        var current = sigaction()
        sigaction(SIGPIPE, nil, &current)
        if current.__sigaction_handler.sa_handler == nil { Glibc.signal(SIGPIPE, SIG_IGN) }
    }
}

extension Duration {
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        return .nanoseconds(Int(min(seconds, 1 << 32)) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
