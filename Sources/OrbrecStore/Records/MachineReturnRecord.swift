public import OrbrecCore
public import GRDB

/// One machine given back: by a return request (`ret-…`), or taken back by its provider from a
/// machine request that does not replace lost machines. A machine is given back once.
public struct MachineReturnRecord: Codable, Sendable, Hashable {
    public enum Reason: String, Codable, Sendable, Hashable {
        /// Named by a return request.
        case returned
        /// Lost at its provider (a spot machine taken back) and not replaced: HostFactory's
        /// getReturnRequests reports it.
        case reclaimed
        /// A machine of a machine request that could not be made: the request is not tried again
        /// for it (its caller asks again), so it leaves the request's count.
        case failed
    }

    public var machineId: String
    /// The return request (`ret-…`); for a machine reclaimed or failed, the machine request's id.
    public var id: String
    /// The machine request it leaves, when it came from one.
    public var demandId: String?
    public var reason: Reason
    public var actor: String
    public var createdAt: Instant

    public init(machineId: String, id: String, demandId: String?, reason: Reason, actor: String, createdAt: Instant) {
        self.machineId = machineId
        self.id = id
        self.demandId = demandId
        self.reason = reason
        self.actor = actor
        self.createdAt = createdAt
    }
}

extension MachineReturnRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "machine_returns"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}
