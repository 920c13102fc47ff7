internal import OrbrecProcess
internal import Glibc

extension HostFactoryPlugin {
    /// How one script run ended.
    enum ScriptEnding: Hashable, Sendable {
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

    /// What the timeout does to a script. A call that only reads is killed; one that makes or
    /// returns machines is not, since killing it halfway would leave machines (or a plugin
    /// request) that no answer names: orbrec stops waiting and adopts its answer later.
    enum AtTimeout: Sendable {
        case kill
        case leaveRunning
    }

    /// Runs one script to its end or its timeout (or the task's cancellation, which counts as
    /// one). It runs in a session of its own, from an argv and an explicit environment; its
    /// stdout and stderr go to files, not pipes, so that an answer the script gives after
    /// orbrec died is still there to be read, and so that a script that outlives orbrec never
    /// dies of SIGPIPE halfway through making machines. `lock`, a descriptor holding an flock,
    /// becomes the script's descriptor 3: the lock is held exactly as long as the script (or
    /// anything it started that kept the descriptor) runs, whoever started it. What the script
    /// leaves running in its session is killed when it ends, even when orbrec left it running.
    static func runScript(_ argv: [String], environment: [String: String], directory: String, stdoutPath: String, stderrPath: String,
                          lock: Int32?, timeout: Duration, atTimeout: AtTimeout = .kill,
                          killGrace: Duration = .seconds(2)) async throws(SpawnError) -> ScriptEnding {
        let child = try ChildProcess.start(ProcessLaunch(argv, environment: environment, workingDirectory: directory,
                                                         stdout: .file(stdoutPath, append: false, permissions: 0o600),
                                                         stderr: .file(stderrPath, append: false, permissions: 0o600),
                                                         grouping: .session, descriptors: lock.map { [3: $0] } ?? [:]),
                                           endsGroupAtExit: true)
        if let exit = await child.wait(atMost: timeout) {
            switch exit.termination {
            case .exited(let code): return .exited(code)
            case .signaled(let signal): return .signaled(signal)
            case .unseen: return .unseen
            }
        }
        if atTimeout == .leaveRunning { return .stillRunning }
        child.terminate(grace: killGrace)
        _ = await child.wait()
        return .timedOut
    }
}
