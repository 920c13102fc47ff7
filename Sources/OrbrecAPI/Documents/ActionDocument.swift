public import OrbrecCore
public import OrbrecStore

/// A journaled action, as `get actions -o json` and `GET /api/v1/actions` show it.
public struct ActionDocument: Encodable, Sendable {
    public var id: String
    public var verb: String
    public var resource: String
    public var reason: String
    public var detail: String
    public var state: String
    public var request: String?
    public var error: String?
    public var configRevision: String
    public var actor: String
    public var createdAt: Int64
    public var updatedAt: Int64

    enum CodingKeys: String, CodingKey {
        case id, verb, resource, reason, detail, state, request, error, actor
        case configRevision = "config_revision"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(_ record: ActionRecord) {
        id = record.id
        verb = record.verb.rawValue
        resource = record.resource.description
        reason = record.reason.description
        detail = record.detail
        state = record.state.rawValue
        request = record.requestId
        error = record.error
        configRevision = record.configRevision
        actor = record.actor
        createdAt = record.createdAt.millisecondsSinceEpoch
        updatedAt = record.updatedAt.millisecondsSinceEpoch
    }
}
