public import OrbrecCore

/// `status --json`: `{"resources": [{"resource", "desired", "observed", "sync", "health", "message"}], "problems": [...]}`.
public struct StatusDocument: Encodable, Sendable {
    public struct Resource: Encodable, Sendable {
        public var resource: String
        public var desired: String
        public var observed: String
        public var sync: String
        public var health: String
        public var message: String
    }

    public var resources: [Resource]
    public var problems: [DiagnosticDocument]
    public var converged: Bool
    /// The configuration revision the report is of (the daemon's API only).
    public var revision: String?
    /// When the report was made, in milliseconds since the epoch (the daemon's API only).
    public var observedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case resources, problems, converged, revision
        case observedAt = "observed_at"
    }

    public init(report: StatusReport, problems: [Diagnostic]) {
        resources = report.rows.map {
            Resource(resource: $0.id.description, desired: $0.desired, observed: $0.observed, sync: $0.sync.rawValue,
                     health: $0.health.rawValue, message: $0.message)
        }
        self.problems = problems.map(DiagnosticDocument.init)
        converged = report.isConverged && problems.isEmpty
    }
}
