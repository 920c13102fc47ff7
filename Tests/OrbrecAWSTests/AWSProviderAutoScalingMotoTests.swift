import Foundation
@testable import OrbrecAWS
import OrbrecCore
import Testing

/// `providerApi: ASG` against a real moto_server: one group per owner, fleet and spec, its
/// capacity raised per order, exactly the chosen machines returned with their capacity, the
/// group deleted once empty, and a launch whose requester died before it tagged anything
/// recovered by its action without a machine made twice.
@Suite(.serialized) struct AWSProviderAutoScalingMotoTests {
    struct WallClock: Clock {
        func now() -> Instant { Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)) }
    }

    let owner = "st-asg-" + UUID().uuidString.lowercased().prefix(10)

    func provider() throws -> AWSProvider {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "us-east-1", service: "ec2")
        return AWSProvider(name: "ec2", client: EC2Client(endpoint: try MotoServer.endpoint(), signer: signer, clock: WallClock(),
                                                           initialBackoff: ConfigDuration(milliseconds: 50)))
    }

    func subnets(_ provider: AWSProvider) async throws -> [String] {
        let tree = try await provider.client.send(EC2Request(action: "DescribeSubnets"))
        return Array(tree.elements("subnetSet/item").compactMap { $0.value("subnetId") }.sorted().prefix(2))
    }

    func order(_ machines: [String], action: String, subnets: [String]) -> ProvisionOrder {
        let settings = AWSTemplateSettings(providerApi: .asg, imageId: "ami-760aaa0f", instanceType: "t3.micro", subnetIds: subnets,
                                           userData: "#!/bin/sh\necho hi", tags: ["team": "cfd"])
        return ProvisionOrder(requestID: "req-\(action)", actionID: action, owner: owner, fleet: "workers",
                              template: TemplateSpec(metadata: Metadata(name: "grouped"), provider: "ec2", settings: .aws(settings)),
                              templateHash: "0123abcd4567ef89", machineIDs: machines)
    }

    var groupName: String { AWSProvider.groupName(owner: owner, fleet: "workers", templateHash: "0123abcd4567ef89") }

    func give(_ provider: AWSProvider, back machines: [ObservedMachine], action: String) async -> [MachineOutcome] {
        await provider.returnMachines(ReturnOrder(requestID: "ret-\(action)", actionID: action, owner: owner,
                                                  machines: machines.map { .init(id: $0.id, providerID: $0.providerID) }))
    }

    @Test func provisionListReturnTheChosenOneAndTheLastReturnDeletesTheGroup() async throws {
        let provider = try provider()
        let subnets = try await subnets(provider)
        let outcomes = await provider.provision(order(["workers-a", "workers-b", "workers-c"], action: "act-asg-1", subnets: subnets))
        #expect(outcomes.allSatisfy { $0.succeeded && ($0.providerID ?? "").hasPrefix("i-") }, "\(outcomes)")

        let machines = try await provider.machines(ownedBy: owner)
        #expect(machines.map(\.id) == ["workers-a", "workers-b", "workers-c"])
        #expect(machines.allSatisfy { $0.fleet == "workers" && $0.template == "grouped" && $0.templateHash == "0123abcd4567ef89"
            && $0.actionID == "act-asg-1" && $0.state.isLive })
        let group = try #require(try await provider.autoScaling.group(named: groupName))
        #expect(group.desiredCapacity == 3 && group.liveInstanceIDs == Set(machines.map(\.providerID)) && group.minSize == 0)
        #expect(group.tags[AWSTags.managedBy] == owner && group.tags[AWSTags.fleet] == "workers")

        // Exactly the chosen machine goes, and the capacity with it: nothing replaces it.
        let chosen = try #require(machines.first { $0.id == "workers-b" })
        #expect(await give(provider, back: [chosen], action: "act-ret-1").allSatisfy { $0.succeeded })
        let shrunk = try #require(try await provider.autoScaling.group(named: groupName))
        #expect(shrunk.desiredCapacity == 2 && shrunk.liveInstanceIDs == Set(machines.filter { $0.id != "workers-b" }.map(\.providerID)))
        let states = Dictionary(uniqueKeysWithValues: try await provider.machines(ownedBy: owner).map { ($0.id, $0.state) })
        #expect(states["workers-b"] == .lost && states["workers-a"]?.isLive == true && states["workers-c"]?.isLive == true, "\(states)")

        // A second order of the same fleet and spec grows the same group by its own count.
        let more = await provider.provision(order(["workers-d"], action: "act-asg-2", subnets: subnets))
        #expect(more.allSatisfy { $0.succeeded }, "\(more)")
        let grown = try #require(try await provider.autoScaling.group(named: groupName))
        #expect(grown.desiredCapacity == 3 && grown.liveInstanceIDs.count == 3)
        let live = try await provider.machines(ownedBy: owner).filter { $0.state.isLive }
        #expect(live.map(\.id) == ["workers-a", "workers-c", "workers-d"])
        #expect(live.first { $0.id == "workers-d" }?.actionID == "act-asg-2")

        // Returning the last machines leaves the group empty, and it is deleted.
        #expect(await give(provider, back: live, action: "act-ret-2").allSatisfy { $0.succeeded })
        #expect(try await provider.autoScaling.group(named: groupName) == nil, "an empty group is deleted")
        #expect(try await provider.machines(ownedBy: owner).allSatisfy { $0.state == .lost })
        #expect(await give(provider, back: live, action: "act-ret-3").allSatisfy { $0.succeeded }, "returning what is gone succeeds")
    }

    @Test func aKillBetweenSetDesiredCapacityAndTheTaggingLosesNothingAndDoublesNothing() async throws {
        // What provision does up to the crash: the group is made and grown, nothing is tagged.
        let crashed = try provider()
        let subnets = try await subnets(crashed)
        let order = order(["workers-a", "workers-b", "workers-c"], action: "act-asg-crash", subnets: subnets)
        guard case .aws(let settings) = order.template.settings else { Issue.record("not aws"); return }
        _ = try await crashed.ensureGroup(groupName, order, settings)
        try await crashed.autoScaling.tagGroup(groupName, [(AWSTags.action, order.actionID)])
        try await crashed.autoScaling.setDesiredCapacity(group: groupName, 3)

        // The next process finds them by the tags the group gave them, the action's among them.
        let next = try provider()
        let seen = try await next.machines(ownedBy: owner)
        #expect(seen.count == 3 && seen.allSatisfy { $0.actionID == "act-asg-crash" && $0.state.isLive && $0.fleet == "workers" })
        #expect(seen.allSatisfy { $0.id == "workers-\($0.providerID)" }, "unrecorded machines, named after their instances: \(seen.map(\.id))")

        // The next order of the fleet adds its own machine to what is there.
        let more = await next.provision(self.order(["workers-d"], action: "act-asg-next", subnets: subnets))
        #expect(more.allSatisfy { $0.succeeded }, "\(more)")
        let live = try await next.machines(ownedBy: owner).filter { $0.state.isLive }
        #expect(live.count == 4 && Set(live.map(\.providerID)).count == 4)
        #expect(Set(live.map(\.id)) == Set(seen.map(\.id)).union(["workers-d"]))
        #expect(try await next.autoScaling.group(named: groupName)?.desiredCapacity == 4)
        #expect(await give(next, back: live, action: "act-ret-crash").allSatisfy { $0.succeeded })
        #expect(try await next.autoScaling.group(named: groupName) == nil)
    }

    @Test func returnsOfInstancesOutsideAnyGroupStillGoThroughTerminateInstances() async throws {
        let provider = try provider()
        let runInstances = ProvisionOrder(requestID: "req-ri", actionID: "act-ri", owner: owner, fleet: "plain",
                                          template: TemplateSpec(metadata: Metadata(name: "plain"), provider: "ec2", settings: .aws(
                                              AWSTemplateSettings(imageId: "ami-760aaa0f", instanceType: "t3.micro"))),
                                          templateHash: "h-plain", machineIDs: ["plain-a"])
        #expect(await provider.provision(runInstances).allSatisfy { $0.succeeded })
        let held = try await provider.machines(ownedBy: owner)
        #expect(await give(provider, back: held, action: "act-ret-plain").allSatisfy { $0.succeeded })
        #expect(try await provider.machines(ownedBy: owner).allSatisfy { $0.state == .lost })
    }
}
