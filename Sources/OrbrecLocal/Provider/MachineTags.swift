/// The ownership tags of a local machine. They live in the process's environment, where
/// `/proc/PID/environ` shows them to any later orbrec: the local equivalent of cloud tags.
enum MachineTags {
    static let managedBy = "ORBREC_MANAGED_BY"
    static let provider = "ORBREC_PROVIDER"
    static let fleet = "ORBREC_FLEET"
    static let machine = "ORBREC_MACHINE"
    static let action = "ORBREC_ACTION"
    static let request = "ORBREC_REQUEST"
    static let template = "ORBREC_TEMPLATE"
    static let templateHash = "ORBREC_TEMPLATE_HASH"
    static let stopTimeout = "ORBREC_STOP_TIMEOUT_MS"

    /// orbrec's own variables are never passed on from the parent environment.
    static func isReserved(_ name: String) -> Bool { name.hasPrefix("ORBREC_") }
}
