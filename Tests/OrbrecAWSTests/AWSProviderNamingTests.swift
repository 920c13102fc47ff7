@testable import OrbrecAWS
import OrbrecCore
import Testing

/// How instances become machines: by their tags, never losing one.
struct AWSProviderNamingTests {
    func instance(_ id: String, _ state: String, machine: String?, fleet: String? = "workers") -> EC2Instance {
        var tags = ["orbrec:managed-by": "st-1", "orbrec:action": "act-1", "orbrec:template": "small", "orbrec:template-hash": "h1"]
        if let machine { tags["orbrec:machine"] = machine }
        if let fleet { tags["orbrec:fleet"] = fleet }
        return EC2Instance(instanceID: id, state: state, tags: tags)
    }

    @Test func eachTaggedInstanceIsItsMachine() {
        let machines = AWSProvider.machines(from: [instance("i-2", "running", machine: "workers-b"), instance("i-1", "pending", machine: "workers-a")],
                                            provider: "ec2")
        #expect(machines.map(\.id) == ["workers-a", "workers-b"])
        #expect(machines.map(\.providerID) == ["i-1", "i-2"])
        #expect(machines.allSatisfy { $0.fleet == "workers" && $0.template == "small" && $0.templateHash == "h1" && $0.actionID == "act-1" })
    }

    @Test func anInstanceWithoutAMachineTagIsNamedAfterItsInstanceID() {
        let machines = AWSProvider.machines(from: [instance("i-0abc", "running", machine: nil)], provider: "ec2")
        #expect(machines.map(\.id) == ["workers-i-0abc"])
    }

    @Test func aSecondLiveInstanceOfOneMachineKeepsANameOfItsOwn() {
        let machines = AWSProvider.machines(from: [instance("i-2", "running", machine: "workers-a"), instance("i-1", "running", machine: "workers-a")],
                                            provider: "ec2")
        #expect(machines.map(\.id) == ["workers-a", "workers-a-i-2"], "neither copy is lost track of")
    }

    @Test func aDeadCopyBesideALiveOneIsDropped() {
        let machines = AWSProvider.machines(from: [instance("i-1", "terminated", machine: "workers-a"), instance("i-2", "running", machine: "workers-a")],
                                            provider: "ec2")
        #expect(machines.map(\.id) == ["workers-a"])
        #expect(machines.first?.providerID == "i-2", "the live copy is the machine")
    }

    @Test func anInstanceWithoutAFleetTagIsNotOrbrecs() {
        #expect(AWSProvider.machines(from: [instance("i-1", "running", machine: "x", fleet: nil)], provider: "ec2").isEmpty)
    }

    @Test func clientTokensAreUniqueAndAtMost64Characters() {
        let long = String(repeating: "m", count: 80)
        let a = AWSProvider.clientToken(action: "act-123", machine: long)
        let b = AWSProvider.clientToken(action: "act-124", machine: long)
        #expect(a.count <= 64 && b.count <= 64 && a != b)
        #expect(AWSProvider.clientToken(action: "act-1", machine: "workers-a") == "act-1/workers-a")
    }
}
