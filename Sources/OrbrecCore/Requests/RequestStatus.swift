/// The status of a machine request or return request, in the Open Resource Broker's words.
public enum RequestStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case inProgress = "in_progress"
    case complete
    case partial
    case failed
    case cancelled

    public var isFinished: Bool { self == .complete || self == .partial || self == .failed || self == .cancelled }

    /// The status of a finished request from its machines' outcomes.
    public static func finished(succeeded: Int, total: Int) -> RequestStatus {
        if total == 0 || succeeded == total { return .complete }
        return succeeded == 0 ? .failed : .partial
    }
}
