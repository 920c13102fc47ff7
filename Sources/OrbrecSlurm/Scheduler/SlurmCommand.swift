internal import OrbrecCore
internal import OrbrecProcess

/// Runs one Slurm client command (sbatch, scontrol, sacct, scancel) as an argv, never
/// through a shell, and gives back its exit status and output. The wait is asynchronous
/// (`ChildProcess`): a slow slurmctld holds no thread of the daemon's.
struct SlurmCommand {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A Slurm command that answers nothing in this long is given up (slurmctld down or
    /// unreachable: its clients retry for a while before they fail).
    static let timeout: Duration = .seconds(120)
    /// `scontrol show job -o` on a busy cluster is large, but not this large.
    static let outputLimit = 256 << 20

    static func run(_ argv: [String], environment: [String: String]? = nil,
                    timeout: Duration = timeout) async throws(ProviderError) -> Output {
        let exit: ChildExit
        do {
            exit = try await ChildProcess.run(ProcessLaunch(argv, environment: environment, stdout: .capture(limit: outputLimit),
                                                            stderr: .capture(limit: 1 << 20)),
                                              timeout: timeout)
        } catch {
            let program = argv.first ?? ""
            if error.isNotFound {
                throw ProviderError(code: "slurm-unavailable", message: "\(program) is not installed or not on PATH", retryable: true)
            }
            throw ProviderError(code: "slurm-unavailable", message: "cannot run \(program): \(error.message)", retryable: true)
        }
        if exit.timedOut {
            throw ProviderError(code: "slurm-unreachable", message: "\(argv.first ?? "") gave no answer in \(timeout)", retryable: true)
        }
        if exit.stdout.truncated {
            throw ProviderError(code: "slurm-output-too-large",
                                message: "\(argv.first ?? "") wrote more than \(outputLimit >> 20) MiB", retryable: true)
        }
        return Output(status: exit.status, stdout: exit.stdout.text, stderr: exit.stderr.text)
    }
}
