public import OrbrecCore
internal import Synchronization

/// An in-memory provider for planner and engine unit tests: it holds machines in a
/// dictionary and can be told to fail. Adapters are never tested against it.
public final class FakeProvider: Provider {
    public let name: String
    private let world = Mutex<[String: ObservedMachine]>([:])
    private let failures = Mutex<Failures>(Failures())
    private let calls = Mutex<[String]>([])

    struct Failures {
        var observe: ProviderError?
        var provisionFailuresLeft = 0
        var returnFailuresLeft = 0
    }

    public init(name: String = "here") { self.name = name }

    /// Machines held right now.
    public var held: [ObservedMachine] { world.withLock { Array($0.values).sorted { $0.id < $1.id } } }

    /// The calls made, in order (`provision 3`, `return workers-a`).
    public var callLog: [String] { calls.withLock { $0 } }

    public func failObservation(with error: ProviderError?) { failures.withLock { $0.observe = error } }
    public func failNextProvisions(_ count: Int) { failures.withLock { $0.provisionFailuresLeft = count } }
    public func failNextReturns(_ count: Int) { failures.withLock { $0.returnFailuresLeft = count } }

    /// Makes a machine disappear, as if its host died.
    public func lose(_ id: String) { _ = world.withLock { $0.removeValue(forKey: id) } }

    public func machines(ownedBy owner: String) async throws -> [ObservedMachine] {
        if let error = failures.withLock({ $0.observe }) { throw error }
        return held
    }

    public func provision(_ order: ProvisionOrder) async -> [MachineOutcome] {
        calls.withLock { $0.append("provision \(order.machineIDs.count)") }
        return order.machineIDs.map { id in
            let fail = failures.withLock { state -> Bool in
                guard state.provisionFailuresLeft > 0 else { return false }
                state.provisionFailuresLeft -= 1
                return true
            }
            if fail { return MachineOutcome(machineID: id, error: ProviderError(code: "capacity", message: "no capacity")) }
            let machine = ObservedMachine(id: id, fleet: order.fleet, template: order.template.name, templateHash: order.templateHash,
                                          provider: name, providerID: "fake:\(id)", actionID: order.actionID, state: .running,
                                          createdAt: Instant(millisecondsSinceEpoch: Int64(world.withLock { $0.count })))
            world.withLock { $0[id] = machine }
            return MachineOutcome(machineID: id, providerID: machine.providerID)
        }
    }

    public func returnMachines(_ order: ReturnOrder) async -> [MachineOutcome] {
        calls.withLock { $0.append("return \(order.machines.map(\.id).joined(separator: ","))") }
        return order.machines.map { machine in
            let fail = failures.withLock { state -> Bool in
                guard state.returnFailuresLeft > 0 else { return false }
                state.returnFailuresLeft -= 1
                return true
            }
            if fail { return MachineOutcome(machineID: machine.id, error: ProviderError(code: "busy", message: "try again", retryable: true)) }
            _ = world.withLock { $0.removeValue(forKey: machine.id) }
            return MachineOutcome(machineID: machine.id, providerID: machine.providerID)
        }
    }
}
