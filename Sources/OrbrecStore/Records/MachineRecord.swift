public import OrbrecCore
public import GRDB

/// A machine as the journal knows it.
public struct MachineRecord: Codable, Sendable, Hashable {
    public var id: String
    public var fleet: String
    public var template: String
    public var templateHash: String
    public var provider: String
    public var providerId: String?
    public var actionId: String
    public var requestId: String
    public var state: MachineState
    public var message: String
    public var createdAt: Instant
    public var updatedAt: Instant
    /// Where its provider writes its output, as `host:path` (the local provider's log); nil
    /// when its provider keeps none.
    public var logLocation: String?
    /// Where it can be reached, as its provider last reported.
    public var privateIp: String?
    public var publicIp: String?
    public var hostname: String?

    public init(id: String, fleet: String, template: String, templateHash: String, provider: String, providerId: String?,
                actionId: String, requestId: String, state: MachineState, message: String = "",
                createdAt: Instant, updatedAt: Instant) {
        self.id = id
        self.fleet = fleet
        self.template = template
        self.templateHash = templateHash
        self.provider = provider
        self.providerId = providerId
        self.actionId = actionId
        self.requestId = requestId
        self.state = state
        self.message = message
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var addresses: MachineAddresses {
        get { MachineAddresses(privateIP: privateIp, publicIP: publicIp, hostname: hostname) }
        set {
            privateIp = newValue.privateIP
            publicIp = newValue.publicIP
            hostname = newValue.hostname
        }
    }

    /// What the planner needs of this record.
    public var recorded: RecordedMachine {
        RecordedMachine(id: id, fleet: fleet, template: template, templateHash: templateHash, provider: provider,
                        state: state, createdAt: createdAt, inFlight: state == .pending && providerId == nil)
    }
}

extension MachineRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "machines"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}
