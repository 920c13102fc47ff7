internal import Foundation
internal import Glibc

/// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+) and addchdir_np (2.29+), which
/// Swift does not import (they sit behind `__USE_GNU`).
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnAddCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func spawnAddChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32

/// Runs one plugin script to its end or its timeout.
///
/// Not OrbrecLocal's spawner (internal there, and made for machines that outlive orbrec with
/// output into a log) nor OrbrecSlurm's (Foundation's Process: no timeout, no process group to
/// kill). A script runs in a session of its own, from an argv and an explicit environment,
/// never through a shell; its stdout and stderr go to files, not pipes, so that an answer the
/// script gives after orbrec died is still there to be read, and so that a script that outlives
/// orbrec never dies of SIGPIPE halfway through making machines. `lock`, a descriptor holding
/// an flock, becomes the script's descriptor 3: the lock is held exactly as long as the script
/// (or anything it started that kept the descriptor) runs, whoever started it.
enum ScriptProcess {
    enum Ending: Hashable, Sendable {
        case exited(Int32)
        case signaled(Int32)
        /// Killed by orbrec at its timeout.
        case timedOut
        /// Still running at its timeout and left to run (`AtTimeout.leaveRunning`): its answer
        /// will be in its output file once its lock is free.
        case stillRunning
        /// Reaped by someone else before orbrec saw how it ended.
        case unseen
    }

    struct SpawnFailure: Error {
        var errno: Int32
        var message: String { String(cString: strerror(errno)) }
    }

    /// What the timeout does to a script. A call that only reads is killed; one that makes or
    /// returns machines is not, since killing it halfway would leave machines (or a plugin
    /// request) that no answer names: orbrec stops waiting and adopts its answer later.
    enum AtTimeout: Sendable {
        case kill
        case leaveRunning
    }

    /// glibc's POSIX_SPAWN_SETSID (`<spawn.h>`, glibc 2.26+), which Swift does not import.
    private static let spawnSetSID: Int32 = 0x80

    static func run(_ argv: [String], environment: [String: String], directory: String, stdoutPath: String, stderrPath: String,
                    lock: Int32?, timeout: Duration, atTimeout: AtTimeout = .kill,
                    killGrace: Duration = .seconds(2)) async throws(SpawnFailure) -> Ending {
        let pid = try spawn(argv, environment: environment, directory: directory, stdoutPath: stdoutPath, stderrPath: stderrPath, lock: lock)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var pause = Duration.milliseconds(2)
        while true {
            if hasEnded(pid) {
                // What the script left running in its session goes with it; the zombie leader
                // keeps the group's id from being reused until it is reaped below.
                kill(-pid, SIGKILL)
                return reap(pid)
            }
            if clock.now >= deadline || Task.isCancelled {
                if atTimeout == .leaveRunning {
                    reapWhenEnded(pid)
                    return .stillRunning
                }
                kill(-pid, SIGTERM)
                let graceEnd = clock.now.advanced(by: killGrace)
                while !hasEnded(pid) && clock.now < graceEnd {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                kill(-pid, SIGKILL)
                _ = reap(pid)
                return .timedOut
            }
            try? await Task.sleep(for: pause)
            // Short scripts are seen ending at once; long ones are looked at every 50 ms.
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    /// Waits, apart from the caller, for a script left running to end, then ends what it left
    /// in its session and reaps it, so that a long-lived orbrec gathers no zombies. Only the
    /// process that spawned the script can reap it; when that process ends first, init does.
    private static func reapWhenEnded(_ pid: pid_t) {
        Task.detached {
            while !hasEnded(pid) {
                try? await Task.sleep(for: .milliseconds(200))
            }
            kill(-pid, SIGKILL)
            _ = reap(pid)
        }
    }

    /// Whether `pid` has ended, without reaping it.
    private static func hasEnded(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT | WNOHANG)
        return result != 0 || info.si_signo == SIGCHLD
    }

    private static func reap(_ pid: pid_t) -> Ending {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .unseen }
        }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    private static func spawn(_ argv: [String], environment: [String: String], directory: String, stdoutPath: String,
                              stderrPath: String, lock: Int32?) throws(SpawnFailure) -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(spawnSetSID | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if let lock {
            posix_spawn_file_actions_adddup2(&actions, lock, 3)
            _ = spawnAddCloseFrom(&actions, 4)
        } else {
            _ = spawnAddCloseFrom(&actions, 3)
        }
        _ = directory.withCString { spawnAddChdir(&actions, $0) }

        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgv.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, argv[0], &actions, &attributes, cArgv, cEnvironment)
        guard status == 0 else { throw SpawnFailure(errno: status) }
        return pid
    }
}
