internal import Foundation
internal import OrbrecProcess
internal import Glibc

/// The process that runs a local scheduler's attempts (`orbrec _supervise`): one per orbrec
/// process and scheduler, started on the first submit. orbrec sends it orders on its stdin;
/// it starts each command directly (posix_spawn, a session of its own, the attempt's tags in
/// its environment), learns of each end from SIGCHLD at once, writes the result file, and
/// tells orbrec on its stdout. It is a session leader of its own, so it outlives an orbrec
/// killed with SIGKILL: it finishes the attempts it holds, records their ends, then exits.
///
/// Orders beyond the free slots wait in its queue and start the moment a slot frees, without
/// a round trip to orbrec: orbrec keeps a few more attempts journaled and ordered than there
/// are slots (look-ahead), so slots never stand idle while it writes its journal.
///
/// One supervisor replaces a runner process per attempt: starting a command costs one spawn,
/// as with `xargs -P`, and an end reaches orbrec in microseconds rather than at its next look.
public enum AttemptSupervisor {
    public struct Options: Sendable {
        public var owner: String
        public var scheduler: String
        public var root: String
        public var graceMilliseconds: Int64
        /// The pid of the orbrec that started it, as orbrec gave it (nil: its parent at start-up).
        public var parent: Int32?

        public init(owner: String, scheduler: String, root: String, graceMilliseconds: Int64, parent: Int32? = nil) {
            self.parent = parent
            self.owner = owner
            self.scheduler = scheduler
            self.root = root
            self.graceMilliseconds = graceMilliseconds
        }
    }

    nonisolated(unsafe) private static var wakeWriter: Int32 = -1
    nonisolated(unsafe) private static var terminated: sig_atomic_t = 0
    nonisolated(unsafe) private static var cancelsMarked: sig_atomic_t = 0

    /// Runs until orbrec closes the order stream and every attempt has ended.
    public static func run(_ options: Options) -> Int32 {
        guard let wake = Pipes.make(flags: O_CLOEXEC | O_NONBLOCK) else { return 1 }
        // Both set before any handler runs: a handler must not be the first to touch them.
        wakeWriter = wake.write
        terminated = 0
        cancelsMarked = 0
        let wakeReader = wake.read
        installHandlers()
        var state = SupervisorState(options: options)
        var input = LineBuffer()
        var inputOpen = true
        var refusing = false
        // After a TERM it takes no new attempt: it ends once those it holds have ended, and
        // its orbrec starts a new supervisor for the next submit.
        while (inputOpen && !refusing) || !state.isIdle {
            var polled = [pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0)]
            if inputOpen { polled.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
            let timeout = state.pollTimeout(now: Clocks.now())
            _ = poll(&polled, nfds_t(polled.count), timeout)
            drain(wakeReader)
            if terminated != 0 && !refusing {
                // A shutdown of the host or the service: every attempt is interrupted (infra, retried).
                refusing = true
                state.announceStopping()
                state.dropQueue("the supervisor was told to stop")
                state.interruptAll(now: Clocks.now())
            }
            if cancelsMarked != 0 {
                // Whoever cancels an attempt that waits here leaves its marker, then says so (USR1).
                cancelsMarked = 0
                state.endCancelledInQueue()
            }
            state.reap()
            state.admit()
            if inputOpen, polled.count > 1, polled[1].revents != 0 {
                switch input.fill(from: 0) {
                case .closed: inputOpen = false
                case .data, .again: break
                }
                while let line = input.nextLine() {
                    guard let order = SupervisorCoding.decode(SupervisorOrder.self, from: line) else { continue }
                    state.handle(order, refusing: refusing)
                }
                // Its orbrec closed the orders (it exited or was killed): what waits never starts.
                if !inputOpen { state.dropQueue("its orbrec is gone") }
            }
            state.enforceDeadlines(now: Clocks.now())
            state.reap()
            state.admit()
        }
        return 0
    }

    private static func installHandlers() {
        SignalHandlers.install([SIGCHLD], flags: SA_RESTART | SA_NOCLDSTOP) { _ in AttemptSupervisor.wake() }
        SignalHandlers.install([SIGTERM, SIGINT]) { _ in
            AttemptSupervisor.terminated = 1
            AttemptSupervisor.wake()
        }
        SignalHandlers.install([SIGUSR1]) { _ in
            AttemptSupervisor.cancelsMarked = 1
            AttemptSupervisor.wake()
        }
        signal(SIGHUP, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Async-signal-safe: a write to the self-pipe, errno left as the interrupted code had it.
    private static func wake() {
        let saved = errno
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
        errno = saved
    }

    private static func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 256)
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }
}

enum Clocks {
    /// Wall time in milliseconds, as result files hold it.
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
