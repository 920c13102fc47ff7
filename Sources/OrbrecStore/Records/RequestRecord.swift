public import OrbrecCore
public import GRDB

/// An ORB-style request: `req-…` for machines, `ret-…` to return them.
public struct RequestRecord: Codable, Sendable, Hashable {
    public var id: String
    public var kind: RequestKind
    public var status: RequestStatus
    public var resource: ResourceID
    public var actionId: String
    public var message: String
    public var createdAt: Instant
    public var updatedAt: Instant

    public init(id: String, kind: RequestKind, status: RequestStatus, resource: ResourceID, actionId: String,
                message: String, createdAt: Instant, updatedAt: Instant) {
        self.id = id
        self.kind = kind
        self.status = status
        self.resource = resource
        self.actionId = actionId
        self.message = message
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension RequestRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "requests"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// One machine of a request, with its own state in that request.
public struct RequestMachineRecord: Codable, Sendable, Hashable {
    public var requestId: String
    public var machineId: String
    public var state: MachineState
    public var message: String

    public init(requestId: String, machineId: String, state: MachineState, message: String = "") {
        self.requestId = requestId
        self.machineId = machineId
        self.state = state
        self.message = message
    }
}

extension RequestMachineRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "request_machines"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}
