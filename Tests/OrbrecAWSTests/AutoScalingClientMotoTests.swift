import Foundation
import OrbrecAWS
import OrbrecCore
import Testing

/// The Auto Scaling calls against a real moto_server, signed for the `autoscaling` service on
/// the same port as EC2: a group from a launch template, its capacity set, one chosen member
/// ended with its capacity, and the emptied group deleted.
@Suite(.serialized) struct AutoScalingClientMotoTests {
    struct WallClock: Clock {
        func now() -> Instant { Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)) }
    }

    let owner = "st-asg-" + UUID().uuidString.lowercased().prefix(10)

    func clients() throws -> (EC2Client, AutoScalingClient) {
        let endpoint = try MotoServer.endpoint()
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "us-east-1", service: "ec2")
        let ec2 = EC2Client(endpoint: endpoint, signer: signer, clock: WallClock(), initialBackoff: ConfigDuration(milliseconds: 50))
        return (ec2, AutoScalingClient(endpoint: endpoint, sharing: ec2))
    }

    func subnets(_ ec2: EC2Client) async throws -> [String] {
        let tree = try await ec2.send(EC2Request(action: "DescribeSubnets"))
        return Array(tree.elements("subnetSet/item").compactMap { $0.value("subnetId") }.sorted().prefix(2))
    }

    @Test func aGroupLaunchesToItsCapacityAndEndsExactlyTheChosenMember() async throws {
        let (ec2, autoScaling) = try clients()
        let name = "orbrec-\(owner)-workers-0123abcd"
        let template = "orbrec-lt-\(owner)"
        try await ec2.ensureLaunchTemplate(template, data: [.init("LaunchTemplateData.ImageId", "ami-760aaa0f"),
                                                            .init("LaunchTemplateData.InstanceType", "t3.micro")])
        try await ec2.ensureLaunchTemplate(template, data: [.init("LaunchTemplateData.ImageId", "ami-760aaa0f")])
        #expect(try await autoScaling.group(named: name) == nil)
        try await autoScaling.createGroup(AutoScalingGroupRequest(name: name, launchTemplateName: template, instanceTypes: ["t3.micro"],
                                                                  subnetIDs: try await subnets(ec2), maxSize: 10,
                                                                  tags: [("orbrec:managed-by", owner), ("orbrec:fleet", "workers")]))
        try await autoScaling.suspendProcesses(group: name, ["AZRebalance", "ReplaceUnhealthy"])
        try await autoScaling.tagGroup(name, [("orbrec:action", "act-asg-1")])
        let empty = try #require(try await autoScaling.group(named: name))
        #expect(empty.desiredCapacity == 0 && empty.minSize == 0 && empty.maxSize == 10 && empty.members.isEmpty)
        #expect(empty.tags["orbrec:managed-by"] == owner && empty.tags["orbrec:action"] == "act-asg-1")

        try await autoScaling.setDesiredCapacity(group: name, 3)
        let full = try #require(try await autoScaling.group(named: name))
        #expect(full.desiredCapacity == 3 && full.liveInstanceIDs.count == 3)
        let tagged = try await ec2.instances(filters: [("tag:orbrec:managed-by", [owner])])
        #expect(Set(tagged.map(\.instanceID)) == full.liveInstanceIDs, "the group's tags are propagated at launch")
        #expect(tagged.allSatisfy { $0.tags["orbrec:action"] == "act-asg-1" && $0.tags["aws:autoscaling:groupName"] == name })

        // The chosen member ends and the capacity with it: the group launches no replacement.
        let chosen = try #require(full.liveInstanceIDs.sorted().first)
        try await autoScaling.terminateInstance(chosen, decrement: true)
        let after = try #require(try await autoScaling.group(named: name))
        #expect(after.desiredCapacity == 2)
        #expect(after.liveInstanceIDs == full.liveInstanceIDs.subtracting([chosen]), "exactly the chosen one went")
        let states = Dictionary(uniqueKeysWithValues: try await ec2.instances(filters: [("tag:orbrec:managed-by", [owner])]).map { ($0.instanceID, $0.state) })
        #expect(states[chosen] == "terminated")

        // Emptied member by member, then deleted. (moto 5.2.1's ForceDelete leaves members that
        // are protected from scale-in running, where AWS ends them all: orbrec deletes only
        // empty groups.)
        for member in after.liveInstanceIDs.sorted() { try await autoScaling.terminateInstance(member, decrement: true) }
        let emptied = try #require(try await autoScaling.group(named: name))
        #expect(emptied.desiredCapacity == 0 && emptied.liveInstanceIDs.isEmpty)
        try await autoScaling.deleteGroup(name, force: true)
        #expect(try await autoScaling.group(named: name) == nil)
        let gone = try await ec2.instances(filters: [("tag:orbrec:managed-by", [owner])])
        #expect(gone.count == 3 && gone.allSatisfy { $0.machineState == .lost })
    }

    @Test func anAutoScalingErrorAnswerIsReadWithItsCodeAndMessage() async throws {
        let (_, autoScaling) = try clients()
        await #expect {
            try await autoScaling.createGroup(AutoScalingGroupRequest(name: "orbrec-\(owner)-bad", launchTemplateName: "orbrec-no-such-template",
                                                                      instanceTypes: ["t3.micro"], subnetIDs: ["subnet-doesnotexist"], maxSize: 1,
                                                                      tags: []))
        } throws: { error in
            guard let failure = error as? EC2Error else { return false }
            return failure.status == 400 && failure.code == "InvalidSubnetID.NotFound" && failure.message.contains("subnet-doesnotexist")
                && !failure.isRetryable
        }
    }
}
