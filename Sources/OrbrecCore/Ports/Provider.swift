/// The port every machine provider implements. The engine sees only this.
///
/// A provider finds the machines it holds for a state by the ownership tags orbrec
/// gives them (`owner`, fleet, machine and action ids), never by the journal.
public protocol Provider: Sendable {
    var name: String { get }

    /// Every machine this provider holds for `owner`, in any state. Throws `ProviderError`.
    func machines(ownedBy owner: String) async throws -> [ObservedMachine]

    /// Creates the machines of `order`, each tagged with its id and the order's action id.
    /// Answers one outcome per machine; a failure of one machine is not a failure of all.
    func provision(_ order: ProvisionOrder) async -> [MachineOutcome]

    /// Returns the machines of `order`. Returning a machine that is already gone succeeds.
    func returnMachines(_ order: ReturnOrder) async -> [MachineOutcome]
}

/// What a provisioning request asks one provider for.
public struct ProvisionOrder: Sendable, Hashable {
    public var requestID: String
    public var actionID: String
    public var owner: String
    public var fleet: String
    public var template: TemplateSpec
    public var templateHash: String
    public var machineIDs: [String]

    public init(requestID: String, actionID: String, owner: String, fleet: String, template: TemplateSpec,
                templateHash: String, machineIDs: [String]) {
        self.requestID = requestID
        self.actionID = actionID
        self.owner = owner
        self.fleet = fleet
        self.template = template
        self.templateHash = templateHash
        self.machineIDs = machineIDs
    }
}

/// What a return request asks one provider to give back.
public struct ReturnOrder: Sendable, Hashable {
    public struct Machine: Sendable, Hashable {
        public var id: String
        /// The provider's handle, when the machine was seen; nil when it is already gone.
        public var providerID: String?

        public init(id: String, providerID: String?) {
            self.id = id
            self.providerID = providerID
        }
    }

    public var requestID: String
    public var actionID: String
    public var owner: String
    public var machines: [Machine]

    public init(requestID: String, actionID: String, owner: String, machines: [Machine]) {
        self.requestID = requestID
        self.actionID = actionID
        self.owner = owner
        self.machines = machines
    }
}

/// What happened to one machine of an order.
public struct MachineOutcome: Sendable, Hashable {
    public var machineID: String
    public var providerID: String?
    public var error: ProviderError?

    public init(machineID: String, providerID: String? = nil, error: ProviderError? = nil) {
        self.machineID = machineID
        self.providerID = providerID
        self.error = error
    }

    public var succeeded: Bool { error == nil }
}

/// A provider's failure as a value: a code, a message, and whether trying again may help.
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var retryable: Bool

    public init(code: String, message: String, retryable: Bool = false) {
        self.code = code
        self.message = message
        self.retryable = retryable
    }

    public var description: String { "\(code): \(message)" }
}
