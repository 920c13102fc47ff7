internal import ArgumentParser

/// The exit codes of every command (DESIGN.md section 5).
enum ExitStatus: Int32 {
    case success = 0
    case error = 1
    case changesPresent = 2
    case policyDenied = 3
    case stalePlan = 4
    case lockTimeout = 5
    /// SIGINT: 128 + 2, as a shell reports a process the signal ended.
    case interrupted = 130

    var code: ExitCode { ExitCode(rawValue) }
}
