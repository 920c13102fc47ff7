internal import Foundation
internal import Glibc
internal import OrbrecProcess
internal import Synchronization

/// The process that runs one attempt (`orbrec _run-attempt`). It is a session leader
/// carrying the attempt's tags; it starts the command in a process group of its own, enforces
/// the walltime on the whole group (TERM, then KILL), forwards a cancel (TERM to itself), and
/// writes the result file when the command ends, whether or not orbrec is still running.
public enum AttemptRunner {
    public struct Options: Sendable {
        public var argv: [String]
        public var workdir: String?
        public var stdoutPath: String
        public var stderrPath: String
        public var resultPath: String
        public var walltimeMilliseconds: Int64?
        /// A walltime a cluster enforces (it sends TERM at the end): a stop after this long
        /// is a timeout, a stop before it an interruption.
        public var clusterWalltimeMilliseconds: Int64?
        public var graceMilliseconds: Int64
        public var owner: String
        public var scheduler: String
        public var pool: String
        public var key: String
        public var attempt: Int

        public init(argv: [String], workdir: String?, stdoutPath: String, stderrPath: String, resultPath: String,
                    walltimeMilliseconds: Int64?, graceMilliseconds: Int64, owner: String, scheduler: String, pool: String,
                    key: String, attempt: Int, clusterWalltimeMilliseconds: Int64? = nil) {
            self.clusterWalltimeMilliseconds = clusterWalltimeMilliseconds
            self.argv = argv
            self.workdir = workdir
            self.stdoutPath = stdoutPath
            self.stderrPath = stderrPath
            self.resultPath = resultPath
            self.walltimeMilliseconds = walltimeMilliseconds
            self.graceMilliseconds = graceMilliseconds
            self.owner = owner
            self.scheduler = scheduler
            self.pool = pool
            self.key = key
            self.attempt = attempt
        }
    }

    nonisolated(unsafe) private static var cancelRequested: sig_atomic_t = 0
    nonisolated(unsafe) private static var interrupted: sig_atomic_t = 0
    /// The write end of the self-pipe that wakes the wait: the command's end (SIGCHLD), a cancel, a stop.
    nonisolated(unsafe) private static var wakeWriter: Int32 = -1

    /// Runs the attempt to its end and writes the result; returns the command's exit status
    /// (128 + signal when a signal ended it), so a cluster sees the job end as its command did,
    /// or 1 when the result could not be written.
    public static func run(_ given: Options) -> Int32 {
        // Paths are fixed before the runner enters the workdir.
        var options = given
        let here = FileManager.default.currentDirectoryPath
        for path in [\Options.stdoutPath, \Options.stderrPath, \Options.resultPath] where !options[keyPath: path].hasPrefix("/") {
            options[keyPath: path] = here + "/" + options[keyPath: path]
        }
        // The wait sleeps until something happens rather than polling: a cluster runs
        // thousands of these, and a 20 ms poll was 20 ms more for each of them. Each handler is
        // in place before its signal is unblocked (whoever started the runner, a cluster's job
        // step or a test, may have left them blocked): a pending TERM is then an interruption
        // with its result, not the default death without one.
        let wake = Pipes.make(flags: O_CLOEXEC | O_NONBLOCK)
        wakeWriter = wake?.write ?? -1
        SignalHandlers.install([SIGUSR1]) { _ in
            AttemptRunner.cancelRequested = 1
            AttemptRunner.wake()
        }
        SignalHandlers.install([SIGTERM, SIGINT]) { _ in
            AttemptRunner.interrupted = 1
            AttemptRunner.wake()
        }
        SignalHandlers.install([SIGCHLD], flags: SA_RESTART | SA_NOCLDSTOP) { _ in AttemptRunner.wake() }
        signal(SIGHUP, SIG_IGN)
        let started = now()
        var result = AttemptResult(owner: options.owner, scheduler: options.scheduler, pool: options.pool, key: options.key,
                                   attempt: options.attempt, exitCode: nil, signal: nil, timedOut: false, cancelled: false, interrupted: false,
                                   startedAt: started, endedAt: started, host: ProcessInfo.processInfo.hostName)
        if let workdir = options.workdir, chdir(workdir) != 0 {
            note(options.stderrPath, "orbrec: cannot enter workdir \(workdir): \(String(cString: strerror(errno)))")
            result.exitCode = 126
            return finish(&result, options)
        }
        let child: pid_t
        do {
            child = try spawn(options)
        } catch {
            note(options.stderrPath, "orbrec: cannot start '\(options.argv.first ?? "")': \(String(cString: strerror(error.code)))")
            result.exitCode = error.code == ENOENT ? 127 : 126
            return finish(&result, options)
        }
        let deadline = options.walltimeMilliseconds.map { started + $0 }
        var killAt: Int64?
        var status: Int32 = 0
        while true {
            let waited = waitpid(child, &status, WNOHANG)
            if waited == child { break }
            if waited < 0 && errno != EINTR { break }
            let current = now()
            if killAt == nil {
                if cancelRequested != 0 {
                    result.cancelled = true
                } else if interrupted != 0 {
                    if let limit = options.clusterWalltimeMilliseconds, current - started >= limit {
                        result.timedOut = true
                    } else {
                        result.interrupted = true
                    }
                } else if let deadline, current >= deadline {
                    result.timedOut = true
                }
                if result.cancelled || result.timedOut || result.interrupted {
                    kill(-child, SIGTERM)
                    killAt = current + options.graceMilliseconds
                }
            } else if let due = killAt, current >= due {
                kill(-child, SIGKILL)
                killAt = Int64.max
            }
            // Until the command ends, a signal comes, or the next deadline (walltime, grace).
            var timeout: Int64 = -1
            if let due = killAt, due != Int64.max {
                timeout = max(0, due - now())
            } else if killAt == nil, let deadline {
                timeout = max(0, deadline - now())
            }
            if let wake {
                var polled = [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
                _ = poll(&polled, 1, Int32(clamping: timeout))
                var buffer = [UInt8](repeating: 0, count: 64)
                while buffer.withUnsafeMutableBytes({ read(wake.read, $0.baseAddress, $0.count) }) > 0 {}
            } else {
                usleep(20_000)
            }
        }
        // Anything the command left in its group goes with it.
        kill(-child, SIGKILL)
        if status & 0x7f == 0 {
            result.exitCode = Int((status >> 8) & 0xff)
        } else {
            result.signal = Int(status & 0x7f)
        }
        return finish(&result, options)
    }

    /// The command in a process group of its own, in the runner's session (a cluster job's).
    /// The runner waits for it itself (its loop above), so it is not a watched `ChildProcess`.
    private static func spawn(_ options: Options) throws(SpawnError) -> pid_t {
        try DetachedProcess.spawn(ProcessLaunch(options.argv, stdout: .file(options.stdoutPath), stderr: .file(options.stderrPath),
                                                grouping: .processGroup))
    }

    private static func finish(_ result: inout AttemptResult, _ options: Options) -> Int32 {
        result.endedAt = now()
        do {
            try result.write(to: options.resultPath)
            if let signal = result.signal { return Int32(128 + signal) }
            return Int32(result.exitCode ?? 0)
        } catch {
            note(options.stderrPath, "orbrec: cannot write the result \(options.resultPath): \(error)")
            return 1
        }
    }

    private static func note(_ path: String, _ message: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o640)
        guard fd >= 0 else { return }
        _ = (message + "\n").withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    /// Async-signal-safe: a byte to the self-pipe, errno left as the interrupted code had it.
    private static func wake() {
        let saved = errno
        var byte: UInt8 = 1
        if wakeWriter >= 0 { _ = write(wakeWriter, &byte, 1) }
        errno = saved
    }

    private static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
