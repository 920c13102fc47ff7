internal import ArgumentParser

/// The exit codes of every command (DESIGN.md section 5).
enum ExitStatus: Int32 {
    case success = 0
    case error = 1
    case changesPresent = 2
    case policyDenied = 3
    case stalePlan = 4
    case lockTimeout = 5

    var code: ExitCode { ExitCode(rawValue) }
}
