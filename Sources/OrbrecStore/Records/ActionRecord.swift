public import OrbrecCore
public import GRDB

/// One row of the action journal.
public struct ActionRecord: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Written with the plan, not yet started.
        case planned
        /// The adapter is being called; after a crash, resolved by asking the adapter.
        case issuing
        case succeeded
        case failed
        /// Never started (the apply stopped first).
        case cancelled

        public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
    }

    public var id: String
    public var idempotencyKey: String
    public var verb: Verb
    public var resource: ResourceID
    public var reason: ActionReason
    public var detail: String
    public var state: State
    public var requestId: String?
    public var payload: String
    public var error: String?
    public var configRevision: String
    public var actor: String
    public var createdAt: Instant
    public var updatedAt: Instant

    public init(id: String, idempotencyKey: String, verb: Verb, resource: ResourceID, reason: ActionReason, detail: String,
                state: State, requestId: String?, payload: String, error: String? = nil, configRevision: String,
                actor: String, createdAt: Instant, updatedAt: Instant) {
        self.id = id
        self.idempotencyKey = idempotencyKey
        self.verb = verb
        self.resource = resource
        self.reason = reason
        self.detail = detail
        self.state = state
        self.requestId = requestId
        self.payload = payload
        self.error = error
        self.configRevision = configRevision
        self.actor = actor
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension ActionRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "actions"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}
