/// A task's state. The raw values are the JSON, journal and CLI spelling.
public enum TaskState: String, Sendable, Codable, CaseIterable {
    case pending
    case running
    /// Failed, waiting for its backoff before the next attempt.
    case retrying
    case completed
    case deadLetter = "dead_letter"
    case cancelled

    /// No further attempt will be made without an operator (requeue) or a config change.
    public var isFinished: Bool { self == .completed || self == .deadLetter || self == .cancelled }
}

/// Why an attempt failed. `infra` (the machine or node went away) does not consume an attempt.
public enum FailureClass: String, Sendable, Codable, CaseIterable {
    case appError = "app-error"
    case timeout
    case infra
}
