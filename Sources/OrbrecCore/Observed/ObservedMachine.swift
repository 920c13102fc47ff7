/// One machine as an adapter reports it, identified by the tags orbrec gave it.
public struct ObservedMachine: Hashable, Sendable, Codable {
    public var id: String
    public var fleet: String
    public var template: String
    /// The template's spec hash when this machine was made.
    public var templateHash: String
    public var provider: String
    /// The provider's own handle (`local:PID:STARTTICKS`, an instance id).
    public var providerID: String
    /// The action that created it (`orbrec:action`), used to recover interrupted provisioning.
    public var actionID: String
    public var state: MachineState
    public var createdAt: Instant
    public var message: String
    /// Where it can be reached; nil while its provider has not said (a machine still pending).
    public var addresses: MachineAddresses?
    /// The cloud took it back (a spot interruption, a capacity or host failure), as opposed to
    /// a user or orbrec ending it: HostFactory's getReturnRequests lists such machines.
    public var reclaimedByProvider: Bool

    public init(id: String, fleet: String, template: String, templateHash: String, provider: String,
                providerID: String, actionID: String, state: MachineState, createdAt: Instant, message: String = "",
                addresses: MachineAddresses? = nil, reclaimedByProvider: Bool = false) {
        self.addresses = addresses
        self.reclaimedByProvider = reclaimedByProvider
        self.id = id
        self.fleet = fleet
        self.template = template
        self.templateHash = templateHash
        self.provider = provider
        self.providerID = providerID
        self.actionID = actionID
        self.state = state
        self.createdAt = createdAt
        self.message = message
    }
}
