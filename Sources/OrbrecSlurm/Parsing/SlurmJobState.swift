public import OrbrecCore

/// A Slurm job state as squeue, scontrol and sacct print it, and what it means for an
/// attempt. Pure: fixture tests feed it real captured output.
public enum SlurmJobState: String, Sendable, Hashable, CaseIterable {
    case pending = "PENDING"
    case configuring = "CONFIGURING"
    case running = "RUNNING"
    case completing = "COMPLETING"
    case suspended = "SUSPENDED"
    case requeued = "REQUEUED"
    case resizing = "RESIZING"
    case completed = "COMPLETED"
    case failed = "FAILED"
    case cancelled = "CANCELLED"
    case timeout = "TIMEOUT"
    case nodeFail = "NODE_FAIL"
    case preempted = "PREEMPTED"
    case outOfMemory = "OUT_OF_MEMORY"
    case bootFail = "BOOT_FAIL"
    case deadline = "DEADLINE"

    /// Reads `RUNNING`, `CANCELLED by 0`, `CANCELLED+`, and sacct's short forms (`CA`, `CD`, `TO`, ...).
    public init?(slurm text: String) {
        let word = String((text.split(separator: " ").first ?? "").filter { $0 != "+" })
        if let state = SlurmJobState(rawValue: word) {
            self = state
            return
        }
        let short: [String: SlurmJobState] = [
            "PD": .pending, "CF": .configuring, "R": .running, "CG": .completing, "S": .suspended, "RQ": .requeued,
            "RS": .resizing, "CD": .completed, "F": .failed, "CA": .cancelled, "TO": .timeout, "NF": .nodeFail,
            "PR": .preempted, "OOM": .outOfMemory, "BF": .bootFail, "DL": .deadline,
        ]
        guard let state = short[word] else { return nil }
        self = state
    }

    /// The job has not ended: no outcome yet.
    public var isActive: Bool {
        switch self {
        case .pending, .configuring, .running, .completing, .suspended, .requeued, .resizing: true
        default: false
        }
    }

    /// How an ended job ended, from its state and `ExitCode=E:S`. NODE_FAIL, PREEMPTED and
    /// BOOT_FAIL are the cluster's failures, not the task's: lost (infra), so they do not use
    /// up an attempt. TIMEOUT and DEADLINE ran out of time. OUT_OF_MEMORY is the task's own
    /// failure, reported as killed by signal 9. A CANCELLED job is cancelled when orbrec asked
    /// for it; cancelled by someone else (an operator's scancel) it was interrupted: lost.
    public func outcome(exit: SlurmExitCode?, cancelledByOrbrec: Bool = false) -> AttemptOutcome? {
        guard !isActive else { return nil }
        let code = exit?.code ?? 0
        let signal = exit.flatMap { $0.signal == 0 ? nil : $0.signal }
        switch self {
        case .completed: return AttemptOutcome(exitCode: code, signal: signal)
        case .failed: return AttemptOutcome(exitCode: code, signal: signal)
        case .timeout, .deadline: return AttemptOutcome(exitCode: code, signal: signal, timedOut: true)
        case .nodeFail, .preempted, .bootFail: return AttemptOutcome(lost: true)
        case .outOfMemory: return AttemptOutcome(exitCode: code == 0 ? nil : code, signal: 9)
        case .cancelled: return cancelledByOrbrec ? AttemptOutcome(exitCode: code, signal: signal ?? 15, cancelled: true) : AttemptOutcome(lost: true)
        default: return nil
        }
    }
}

/// `ExitCode=E:S` of scontrol and sacct: the exit status and the signal that ended the job.
public struct SlurmExitCode: Sendable, Hashable {
    public var code: Int
    public var signal: Int

    public init(code: Int, signal: Int) {
        self.code = code
        self.signal = signal
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let code = Int(parts[0]), let signal = Int(parts[1]) else { return nil }
        self.init(code: code, signal: signal)
    }
}
