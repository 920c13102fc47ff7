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

        /// One resource's status row, as `status`, `describe` and the API show it.
        public init(_ row: StatusReport.Row) {
            resource = row.id.description
            desired = row.desired
            observed = row.observed
            sync = row.sync.rawValue
            health = row.health.rawValue
            message = row.message
        }
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
        resources = report.rows.map(Resource.init)
        self.problems = problems.map(DiagnosticDocument.init)
        converged = report.isConverged && problems.isEmpty
    }
}
