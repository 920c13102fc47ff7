public import OrbrecCore
public import GRDB

/// A machine request as the journal keeps it. How many machines it still wants is not kept
/// but counted: what was asked for less the rows of `machine_returns` that name it, so a
/// return and the count it lowers are one row, written once.
public struct MachineDemandRecord: Codable, Sendable, Hashable {
    public var id: String
    public var template: String
    public var requested: Int
    public var replaceLost: Bool
    public var actor: String
    /// The caller's key (the API's Idempotency-Key, HostFactory's input digest): the same key
    /// answers the same request instead of asking again.
    public var idempotencyKey: String?
    public var createdAt: Instant
    public var updatedAt: Instant
    public var closedAt: Instant?

    public init(_ demand: MachineDemand, idempotencyKey: String?) {
        id = demand.id
        template = demand.template
        requested = demand.requested
        replaceLost = demand.replaceLost
        actor = demand.actor
        self.idempotencyKey = idempotencyKey
        createdAt = demand.createdAt
        updatedAt = demand.updatedAt
        closedAt = demand.closedAt
    }

    public func demand(released: Int) -> MachineDemand {
        MachineDemand(id: id, template: template, requested: requested, count: closedAt == nil ? max(0, requested - released) : 0,
                      replaceLost: replaceLost, actor: actor, createdAt: createdAt, updatedAt: updatedAt, closedAt: closedAt)
    }
}

extension MachineDemandRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "machine_demands"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}
