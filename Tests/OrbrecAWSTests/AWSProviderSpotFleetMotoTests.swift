import Foundation
@testable import OrbrecAWS
import OrbrecCore
import Testing

/// `providerApi: SpotFleet` against a real moto_server: one request per order, its instances
/// found by their tags, a chosen one returned, and a launch whose requester died before it
/// tagged anything recovered by its action without a machine made twice.
@Suite(.serialized) struct AWSProviderSpotFleetMotoTests {
    struct WallClock: Clock {
        func now() -> Instant { Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)) }
    }

    let owner = "st-spot-" + UUID().uuidString.lowercased().prefix(10)
    static let role = "arn:aws:iam::123456789012:role/spot-fleet"

    func provider() throws -> AWSProvider {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "us-east-1", service: "ec2")
        return AWSProvider(name: "ec2", client: EC2Client(endpoint: try MotoServer.endpoint(), signer: signer, clock: WallClock(),
                                                           initialBackoff: ConfigDuration(milliseconds: 50)))
    }

    var settings: AWSTemplateSettings {
        AWSTemplateSettings(providerApi: .spotFleet, imageId: "ami-760aaa0f", instanceTypes: ["c6i.large": 2, "c5.large": 1],
                            userData: "#!/bin/sh\necho hi", tags: ["team": "cfd"], fleetRole: Self.role,
                            allocationStrategy: .capacityOptimized, maxSpotPrice: "0.05")
    }

    func order(_ machines: [String], action: String) -> ProvisionOrder {
        ProvisionOrder(requestID: "req-\(action)", actionID: action, owner: owner, fleet: "burst",
                       template: TemplateSpec(metadata: Metadata(name: "spot"), provider: "ec2", settings: .aws(settings)),
                       templateHash: "hash-spot-1", machineIDs: machines)
    }

    func returnAll(_ provider: AWSProvider) async throws {
        let held = try await provider.machines(ownedBy: owner)
        _ = await provider.returnMachines(ReturnOrder(requestID: "ret-all", actionID: "act-ret-all", owner: owner,
                                                      machines: held.map { .init(id: $0.id, providerID: $0.providerID) }))
    }

    @Test func provisionThreeSeeThemByTagAndReturnTheChosenOne() async throws {
        let provider = try provider()
        let outcomes = await provider.provision(order(["burst-a", "burst-b", "burst-c"], action: "act-spot-1"))
        #expect(outcomes.allSatisfy { $0.succeeded && ($0.providerID ?? "").hasPrefix("i-") }, "\(outcomes)")
        #expect(Set(outcomes.compactMap(\.providerID)).count == 3)

        let machines = try await provider.machines(ownedBy: owner)
        #expect(machines.map(\.id) == ["burst-a", "burst-b", "burst-c"])
        #expect(machines.allSatisfy { $0.fleet == "burst" && $0.template == "spot" && $0.templateHash == "hash-spot-1"
            && $0.actionID == "act-spot-1" && $0.state.isLive })
        #expect(Dictionary(uniqueKeysWithValues: machines.map { ($0.id, $0.providerID) })
                == Dictionary(uniqueKeysWithValues: outcomes.map { ($0.machineID, $0.providerID ?? "") }))
        let tagged = try await provider.client.instances(filters: [("tag:orbrec:managed-by", [owner])])
        #expect(tagged.allSatisfy { $0.tags["team"] == "cfd" }, "the template's tags too")

        // The request is closed once its instances are adopted: it launches nothing more.
        let requests = try await provider.client.spotFleetRequests().filter { $0.tags[AWSTags.managedBy] == owner }
        #expect(requests.count == 1 && requests.allSatisfy { !$0.isOpen && $0.tags[AWSTags.action] == "act-spot-1" }, "\(requests)")

        let chosen = try #require(machines.first { $0.id == "burst-b" })
        let returned = await provider.returnMachines(ReturnOrder(requestID: "ret-spot", actionID: "act-ret-spot", owner: owner,
                                                                 machines: [.init(id: chosen.id, providerID: chosen.providerID)]))
        #expect(returned.allSatisfy { $0.succeeded })
        let observed = try await provider.machines(ownedBy: owner)
        let after = Dictionary(uniqueKeysWithValues: observed.map { ($0.id, $0.state) })
        #expect(after["burst-b"] == .lost && after["burst-a"]?.isLive == true && after["burst-c"]?.isLive == true, "\(after)")
        let gone = try #require(observed.first { $0.id == "burst-b" })
        #expect(!gone.reclaimedByProvider && gone.message.contains("UserInitiatedShutdown"), "returned, not taken back: \(gone.message)")
        try await returnAll(provider)
    }

    @Test func aKillBetweenTheRequestAndTheTaggingLosesNothingAndDoublesNothing() async throws {
        // What provision does up to the crash: the request is placed, nothing is tagged, the
        // request is left open.
        let crashed = try provider()
        let order = order(["burst-a", "burst-b", "burst-c"], action: "act-spot-crash")
        let requestID = try await crashed.client.requestSpotFleet(crashed.spotFleetConfig(order, settings, role: Self.role))

        // The next process finds them by their tags, with the action that made them.
        let next = try provider()
        let seen = try await next.machines(ownedBy: owner)
        #expect(seen.count == 3 && seen.allSatisfy { $0.actionID == "act-spot-crash" && $0.state.isLive && $0.fleet == "burst" })
        #expect(Set(seen.map(\.providerID)) == Set(try await next.client.spotFleetInstances(requestID)))
        #expect(seen.allSatisfy { $0.id == "burst-\($0.providerID)" }, "unrecorded machines, named after their instances: \(seen.map(\.id))")

        // Its next SpotFleet order closes the abandoned request and makes only its own machine.
        let more = await next.provision(self.order(["burst-d"], action: "act-spot-next"))
        #expect(more.allSatisfy { $0.succeeded })
        let abandoned = try #require(try await next.client.spotFleetRequests([requestID]).first)
        #expect(!abandoned.isOpen, "cancelled: \(abandoned.state)")
        let live = try await next.machines(ownedBy: owner).filter { $0.state.isLive }
        #expect(live.count == 4 && Set(live.map(\.providerID)).count == 4)
        #expect(Set(live.map(\.id)) == Set(seen.map(\.id)).union(["burst-d"]), "the crashed launch's instances are still there, once")
        try await returnAll(next)
    }

    @Test func anOrderWithoutAFleetRoleFailsEveryMachineClearly() async throws {
        let provider = try provider()
        var settings = settings
        settings.fleetRole = nil
        let order = ProvisionOrder(requestID: "req-x", actionID: "act-x", owner: owner, fleet: "burst",
                                   template: TemplateSpec(metadata: Metadata(name: "spot"), provider: "ec2", settings: .aws(settings)),
                                   templateHash: "h", machineIDs: ["burst-a", "burst-b"])
        let outcomes = await provider.provision(order)
        #expect(outcomes.count == 2 && outcomes.allSatisfy { $0.error?.code == "InvalidTemplate" && $0.error?.message.contains("fleetRole") == true })
        #expect(provider.client.calls.count == 0, "nothing was asked of AWS")
    }
}
