internal import OrbrecCore

/// `list_resources`: a resource with where it is declared and its status row. A resource the
/// configuration no longer declares but the state still holds (a removed fleet with
/// machines) has a row and no declaration.
struct ResourceDocument: Encodable, Sendable {
    var resource: String
    var kind: String
    var name: String
    var declared: Bool
    /// `file:line:col` of the document that declares it.
    var location: String?
    var labels: [String: String]?
    var specHash: String?
    var desired: String?
    var observed: String?
    var sync: String?
    var health: String?
    var message: String?

    enum CodingKeys: String, CodingKey {
        case resource, kind, name, declared, location, labels, desired, observed, sync, health, message
        case specHash = "spec_hash"
    }

    init(id: ResourceID, declaration: DesiredResource?, row: StatusReport.Row?) {
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
