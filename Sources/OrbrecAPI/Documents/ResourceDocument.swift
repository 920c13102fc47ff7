public import OrbrecCore

/// MCP `list_resources`: a resource with where it is declared and its status row. A resource
/// the configuration no longer declares but the state still holds (a removed fleet with
/// machines) has a row and no declaration. Status alone (REST `/api/v1/resources`, MCP
/// `status`, `status --json`) is `StatusDocument`.
public struct ResourceDocument: Encodable, Sendable {
    public var resource: String
    public var kind: String
    public var name: String
    public var declared: Bool
    /// `file:line:col` of the document that declares it.
    public var location: String?
    public var labels: [String: String]?
    public var specHash: String?
    public var desired: String?
    public var observed: String?
    public var sync: String?
    public var health: String?
    public var message: String?

    enum CodingKeys: String, CodingKey {
        case resource, kind, name, declared, location, labels, desired, observed, sync, health, message
        case specHash = "spec_hash"
    }

    public init(id: ResourceID, declaration: DesiredResource?, row: StatusReport.Row?) {
        resource = id.description
        kind = id.kind.rawValue
        name = id.name
        declared = declaration != nil
        location = declaration?.metadata.location?.description
        labels = declaration?.metadata.labels
        specHash = declaration?.specHash
        desired = row?.desired
        observed = row?.observed
        sync = row?.sync.rawValue
        health = row?.health.rawValue
        message = row?.message
    }
}

/// MCP `list_resources`' answer.
public struct ResourcesAnswer: Encodable, Sendable {
    public var resources: [ResourceDocument]
    /// What stops a plan (as in `status --json`).
    public var problems: [DiagnosticDocument]
    /// The configuration's revision.
    public var revision: String

    public init(resources: [ResourceDocument], problems: [DiagnosticDocument], revision: String) {
        self.resources = resources
        self.problems = problems
        self.revision = revision
    }
}
