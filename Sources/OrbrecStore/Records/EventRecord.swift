public import OrbrecCore
public import GRDB

/// An append-only record of a state change: of an action, a request or a machine.
public struct EventRecord: Codable, Sendable, Hashable {
    public var seq: Int64?
    public var at: Instant
    public var resource: String
    /// What changed: `action/act-…`, `machine/workers-abc12`, `request/req-…`.
    public var subject: String
    public var fromState: String?
    public var toState: String
    public var cause: String

    public init(at: Instant, resource: String, subject: String, fromState: String?, toState: String, cause: String) {
        self.at = at
        self.resource = resource
        self.subject = subject
        self.fromState = fromState
        self.toState = toState
        self.cause = cause
    }
}

extension EventRecord: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "events"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }
}

extension EventRecord {
    /// Appends the event; events are never updated or deleted.
    func append(to db: Database) throws {
        var event = self
        try event.insert(db)
    }
}
