internal import OrbrecCore
internal import OrbrecProcess
internal import Glibc

/// Where one slurm scheduler's commands run: on this host, or on the cluster's login node over
/// SSH. Every Slurm command of the scheduler (sbatch, scontrol, squeue, sacct, scancel, sinfo)
/// and every file it keeps on the cluster goes through `run`, so the route is chosen once, by
/// the configuration, and no caller builds an ssh line of its own.
public struct SlurmCommandPath: Sendable {
    public enum Route: Sendable, Hashable {
        case local
        case ssh(SSHConnection)
    }

    /// What the command reads on stdin.
    public enum Input: Sendable {
        case none
        case bytes([UInt8])
        /// A file of this host, streamed (orbrec's runner, copied to the cluster).
        case file(String)
    }

    public let route: Route

    public init(route: Route) {
        self.route = route
    }

    public static let local = SlurmCommandPath(route: .local)

    public var ssh: SSHConnection? {
        if case .ssh(let connection) = route { return connection }
        return nil
    }

    /// How much of a command's stdout is kept: `scontrol show job -o` of a busy cluster, or a
    /// batch of result files.
    static let outputLimit = 256 << 20
    static let errorLimit = 1 << 20

    /// Runs `argv` where Slurm is. Over SSH, ssh's own failure (exit 255: no connection, a
    /// refused host key or login, a connection lost) is thrown as `SSHFailure`'s error, whose
    /// code says whether the command can have run (`SSHFailure.Reason.connectionLost`); the
    /// remote command's own exit status is returned as it is. `environment` applies on this
    /// host only: a remote command gets the login session's.
    func run(_ argv: [String], input: Input = .none, environment: [String: String]? = nil,
                    timeout: Duration = SlurmCommand.timeout) async throws(ProviderError) -> SlurmCommand.Output {
        guard case .ssh(let connection) = route else {
            guard case .none = input else {
                throw ProviderError(code: "slurm-files", message: "a local Slurm command takes no input")
            }
            return try await SlurmCommand.run(argv, environment: environment, timeout: timeout)
        }
        let exit = try await remote(argv, on: connection, input: input, timeout: timeout)
        return SlurmCommand.Output(status: exit.status, stdout: exit.stdout.text, stderr: exit.stderr.text)
    }

    /// `run` over SSH, with the output's bytes as they came (files read from the cluster).
    func remote(_ argv: [String], on connection: SSHConnection, input: Input = .none,
                timeout: Duration = SlurmCommand.timeout) async throws(ProviderError) -> ChildExit {
        guard let sshArgv = connection.argv(argv) else {
            throw ProviderError(code: "invalid-argument", message: "an argument of \(argv.first ?? "") holds a NUL byte")
        }
        var stdin = ProcessLaunch.Input.null
        var opened: Int32 = -1
        switch input {
        case .none: break
        case .bytes(let bytes): stdin = .bytes(bytes)
        case .file(let path):
            opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else {
                throw ProviderError(code: "slurm-files", message: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            stdin = .descriptor(opened)
        }
        defer { if opened >= 0 { Glibc.close(opened) } }
        let exit: ChildExit
        do {
            exit = try await ChildProcess.run(ProcessLaunch(sshArgv, stdin: stdin, stdout: .capture(limit: Self.outputLimit),
                                                            stderr: .capture(limit: Self.errorLimit)), timeout: timeout)
        } catch {
            throw ProviderError(code: "slurm-unavailable", message: "cannot run ssh: \(error.message)", retryable: true)
        }
        if exit.timedOut {
            // Stopped by orbrec: whatever was asked may or may not have happened on the cluster.
            throw ProviderError(code: SSHFailure.Reason.connectionLost.rawValue,
                                message: "\(argv.first ?? "") on \(connection.destination) did not answer within \(timeout)", retryable: true)
        }
        if exit.status == 255 {
            throw SSHFailure(stderr: exit.stderr.text, connection: connection).error
        }
        if exit.status == 127 {
            throw ProviderError(code: "slurm-unavailable", message: "\(argv.first ?? "") is not installed or not on PATH on \(connection.destination)",
                                retryable: true)
        }
        if exit.stdout.truncated {
            throw ProviderError(code: "slurm-output-too-large", message: "\(argv.first ?? "") wrote more than \(Self.outputLimit >> 20) MiB",
                                retryable: true)
        }
        return exit
    }

    /// Closes the shared connection, if one is open (`ssh -O exit`).
    public func closeConnection() async {
        guard let connection = ssh else { return }
        _ = try? await ChildProcess.run(ProcessLaunch(connection.closeArgv), timeout: .seconds(10))
    }
}
