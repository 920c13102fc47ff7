/// A provider that cannot be used (no credentials, say): every call fails with the same
/// clear error, so that its fleets are reported and left alone instead of crashing a pass.
public struct UnavailableProvider: Provider {
    public let name: String
    public let error: ProviderError

    public init(name: String, error: ProviderError) {
        self.name = name
        self.error = error
    }

    public func machines(ownedBy owner: String) async throws -> [ObservedMachine] { throw error }

    public func provision(_ order: ProvisionOrder) async -> [MachineOutcome] {
        order.machineIDs.map { MachineOutcome(machineID: $0, error: error) }
    }

    public func returnMachines(_ order: ReturnOrder) async -> [MachineOutcome] {
        order.machines.map { MachineOutcome(machineID: $0.id, providerID: $0.providerID, error: error) }
    }
}
