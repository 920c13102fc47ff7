public import OrbrecCore
public import OrbrecStore

/// A machine as `get machines -o json` and `GET /api/v1/machines` show it.
public struct MachineDocument: Encodable, Sendable {
    public var id: String
    public var fleet: String
    public var template: String
    public var templateHash: String
    public var state: String
    public var provider: String
    public var providerId: String?
    public var request: String
    public var action: String
    public var message: String
    public var createdAt: Int64
    /// Where a local machine's output goes, `host:path`.
    public var log: String?
    /// Where it can be reached, as its provider reports it (named as in a request's machines).
    public var privateIpAddress: String?
    public var publicIpAddress: String?
    public var hostname: String?

    enum CodingKeys: String, CodingKey {
        case id, fleet, template, state, provider, request, action, message, log, hostname
        case privateIpAddress = "private_ip_address"
        case publicIpAddress = "public_ip_address"
        case templateHash = "template_hash"
        case providerId = "provider_id"
        case createdAt = "created_at"
    }

    public init(_ machine: ObservedMachine) {
        id = machine.id
        fleet = machine.fleet
        template = machine.template
        templateHash = machine.templateHash
        state = machine.state.rawValue
        provider = machine.provider
        providerId = machine.providerID
        request = ""
        action = machine.actionID
        message = "not in the journal: " + machine.message
        createdAt = machine.createdAt.millisecondsSinceEpoch
        addresses = machine.addresses ?? MachineAddresses()
    }

    public init(_ record: MachineRecord) {
        id = record.id
        fleet = record.fleet
        template = record.template
        templateHash = record.templateHash
        state = record.state.rawValue
        provider = record.provider
        providerId = record.providerId
        request = record.requestId
        action = record.actionId
        message = record.message
        createdAt = record.createdAt.millisecondsSinceEpoch
        // Only the local provider writes a log of its own (its provider ids are `local:…`).
        log = record.providerId?.hasPrefix("local:") == true ? record.logLocation : nil
        addresses = record.addresses
    }

    public var addresses: MachineAddresses {
        get { MachineAddresses(privateIP: privateIpAddress, publicIP: publicIpAddress, hostname: hostname) }
        set {
            privateIpAddress = newValue.privateIP
            publicIpAddress = newValue.publicIP
            hostname = newValue.hostname
        }
    }
}
