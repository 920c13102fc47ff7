import Foundation
import OrbrecAWS
import OrbrecCore
import Testing

/// The Spot Fleet calls against a real moto_server: a one-time request launches its target
/// with the launch specifications' tags, is found again by its own tags, and is cancelled
/// with or without its instances.
@Suite(.serialized) struct SpotFleetClientMotoTests {
    struct WallClock: Clock {
        func now() -> Instant { Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)) }
    }

    let owner = "st-sf-" + UUID().uuidString.lowercased().prefix(10)

    func client() throws -> EC2Client {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "us-east-1", service: "ec2")
        return EC2Client(endpoint: try MotoServer.endpoint(), signer: signer, clock: WallClock(), initialBackoff: ConfigDuration(milliseconds: 50))
    }

    func config(_ count: Int, action: String) -> SpotFleetRequestConfig {
        let tags = [("orbrec:managed-by", owner), ("orbrec:fleet", "burst"), ("orbrec:action", action)]
        let specification = SpotFleetRequestConfig.LaunchSpecification(imageID: "ami-760aaa0f", instanceType: "c6i.large", keyName: "ops",
                                                                       userData: "#!/bin/sh\necho hi", tags: tags)
        return SpotFleetRequestConfig(clientToken: "\(action)/spot-fleet", fleetRole: "arn:aws:iam::123456789012:role/spot-fleet",
                                      targetCapacity: count, allocationStrategy: "priceCapacityOptimized", spotPrice: "0.05",
                                      validUntil: Date().addingTimeInterval(600), launchSpecifications: [specification], requestTags: tags)
    }

    func instances(_ client: EC2Client, action: String) async throws -> [EC2Instance] {
        try await client.instances(filters: [("tag:orbrec:managed-by", [owner]), ("tag:orbrec:action", [action])])
    }

    @Test func aOneTimeRequestLaunchesItsTargetWithTheLaunchSpecificationsTags() async throws {
        let client = try client()
        let id = try await client.requestSpotFleet(config(3, action: "act-sf-1"))
        #expect(id.hasPrefix("sfr-"))
        let launched = try await client.spotFleetInstances(id)
        #expect(launched.count == 3)
        let tagged = try await instances(client, action: "act-sf-1")
        #expect(Set(tagged.map(\.instanceID)) == Set(launched), "every instance is born with the specification's tags")
        #expect(tagged.allSatisfy { $0.tags["orbrec:fleet"] == "burst" && $0.instanceType == "c6i.large" && $0.machineState.isLive })

        let request = try #require(try await client.spotFleetRequests([id]).first)
        #expect(request.isOpen && request.tags["orbrec:managed-by"] == owner && request.tags["orbrec:action"] == "act-sf-1")
        #expect(try await client.spotFleetRequests().contains { $0.id == id }, "found among all the account's requests")

        // Cancelled without its instances: they keep running, as ordinary spot instances.
        #expect(try await client.cancelSpotFleetRequests([id], terminateInstances: false).isEmpty)
        let cancelled = try #require(try await client.spotFleetRequests([id]).first)
        #expect(!cancelled.isOpen && cancelled.state == "cancelled_running", "\(cancelled.state)")
        #expect(try await client.spotFleetInstances(id).count == 3, "a cancelled request still lists its instances")
        #expect(try await instances(client, action: "act-sf-1").allSatisfy { $0.machineState.isLive })

        // One chosen instance is terminated; the others stay.
        let chosen = try #require(launched.sorted().first)
        _ = try await client.send(EC2Request(action: "TerminateInstances", parameters: EC2Request.list("InstanceId", [chosen])))
        let after = try await instances(client, action: "act-sf-1")
        #expect(after.filter { $0.machineState.isLive }.map(\.instanceID).sorted() == Array(launched.sorted().dropFirst()))
        _ = try await client.send(EC2Request(action: "TerminateInstances", parameters: EC2Request.list("InstanceId", launched)))
    }

    @Test func cancellingWithItsInstancesTerminatesThem() async throws {
        let client = try client()
        let id = try await client.requestSpotFleet(config(2, action: "act-sf-2"))
        #expect(try await client.spotFleetInstances(id).count == 2)
        try await client.cancelSpotFleetRequests([id], terminateInstances: true)
        let after = try await instances(client, action: "act-sf-2")
        #expect(after.count == 2 && after.allSatisfy { $0.machineState == .lost }, "\(after.map(\.state))")
    }

    /// moto 5.2.1 ignores ClientToken here as it does for RunInstances: the same token twice
    /// makes two requests. orbrec never relies on it; it finds an earlier request by its tags.
    @Test func motoDoesNotHonourTheClientToken() async throws {
        let client = try client()
        let first = try await client.requestSpotFleet(config(1, action: "act-sf-3"))
        let second = try await client.requestSpotFleet(config(1, action: "act-sf-3"))
        #expect(first != second)
        let mine = try await client.spotFleetRequests().filter { $0.tags["orbrec:action"] == "act-sf-3" }
        #expect(Set(mine.map(\.id)) == [first, second], "both are found by their tags")
        try await client.cancelSpotFleetRequests([first, second], terminateInstances: true)
    }
}
