import Foundation
@testable import OrbrecAWS
import OrbrecCore
import Testing

/// What the Spot Fleet and Auto Scaling calls put on the wire, as the AWS CLI flattens the
/// same requests, and how their answers (captured from moto_server, Fixtures/) are read.
@Suite struct FleetRequestEncodingTests {
    static func fixture(_ name: String) throws -> Data {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).xml")
        return try Data(contentsOf: url)
    }

    func values(_ parameters: [EC2Request.Parameter]) -> [String: String] {
        Dictionary(parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func aSpotFleetRequestIsOneTimeWithItsTagsOnEveryLaunchSpecification() {
        let tags = [("orbrec:managed-by", "st-1"), ("orbrec:action", "act-1")]
        let config = SpotFleetRequestConfig(
            clientToken: "act-1/spot-fleet", fleetRole: "arn:aws:iam::123456789012:role/spot-fleet", targetCapacity: 3,
            allocationStrategy: "capacityOptimized", spotPrice: "0.05", validUntil: Date(timeIntervalSince1970: 1_900_000_000),
            launchSpecifications: [
                .init(imageID: "ami-1", instanceType: "c6i.large", subnetID: "subnet-a", securityGroupIDs: ["sg-1", "sg-2"], keyName: "ops",
                      userData: "echo hi", tags: tags),
                .init(imageID: "ami-1", instanceType: "c5.large", tags: tags),
            ], requestTags: tags)
        let wire = values(config.parameters)
        let root = "SpotFleetRequestConfig"
        #expect(wire["\(root).Type"] == "request", "one-time: the fleet never replenishes behind orbrec")
        #expect(wire["\(root).TargetCapacity"] == "3" && wire["\(root).ClientToken"] == "act-1/spot-fleet")
        #expect(wire["\(root).IamFleetRole"] == "arn:aws:iam::123456789012:role/spot-fleet")
        #expect(wire["\(root).AllocationStrategy"] == "capacityOptimized" && wire["\(root).SpotPrice"] == "0.05")
        #expect(wire["\(root).ValidUntil"] == "2030-03-17T17:46:40Z" && wire["\(root).TerminateInstancesWithExpiration"] == "false")
        #expect(wire["\(root).LaunchSpecifications.1.GroupSet.2.GroupId"] == "sg-2")
        #expect(wire["\(root).LaunchSpecifications.1.UserData"] == Data("echo hi".utf8).base64EncodedString())
        #expect(wire["\(root).LaunchSpecifications.1.SubnetId"] == "subnet-a" && wire["\(root).LaunchSpecifications.2.SubnetId"] == nil)
        for index in 1...2 {
            let prefix = "\(root).LaunchSpecifications.\(index)"
            #expect(wire["\(prefix).WeightedCapacity"] == "1", "a machine is one instance, whatever its type")
            #expect(wire["\(prefix).TagSpecificationSet.1.ResourceType"] == "instance")
            #expect(wire["\(prefix).TagSpecificationSet.1.Tag.2.Key"] == "orbrec:action" && wire["\(prefix).TagSpecificationSet.1.Tag.2.Value"] == "act-1")
        }
        #expect(wire["\(root).TagSpecification.1.ResourceType"] == "spot-fleet-request")
        #expect(wire["\(root).TagSpecification.1.Tag.1.Value"] == "st-1")
    }

    @Test func withoutAStrategyAWSsDefaultApplies() {
        let config = SpotFleetRequestConfig(clientToken: "t", fleetRole: "arn:aws:iam::1:role/r", targetCapacity: 1, validUntil: Date(),
                                            launchSpecifications: [], requestTags: [])
        #expect(values(config.parameters)["SpotFleetRequestConfig.AllocationStrategy"] == nil)
    }

    @Test func aGroupStartsEmptyProtectedAndTagsItsInstancesAtLaunch() {
        let request = AutoScalingGroupRequest(name: "orbrec-st-1-workers-0123abcd", launchTemplateName: "orbrec-small-0123abcd4567-asg",
                                              instanceTypes: ["t3.micro"], subnetIDs: ["subnet-a", "subnet-b"], maxSize: 10,
                                              tags: [("orbrec:managed-by", "st-1")])
        let wire = values(request.parameters)
        #expect(wire["MinSize"] == "0" && wire["DesiredCapacity"] == "0" && wire["MaxSize"] == "10")
        #expect(wire["NewInstancesProtectedFromScaleIn"] == "true")
        #expect(wire["VPCZoneIdentifier"] == "subnet-a,subnet-b")
        #expect(wire["LaunchTemplate.LaunchTemplateName"] == "orbrec-small-0123abcd4567-asg" && wire["LaunchTemplate.Version"] == "$Latest")
        #expect(wire["Tags.member.1.Key"] == "orbrec:managed-by" && wire["Tags.member.1.PropagateAtLaunch"] == "true"
                && wire["Tags.member.1.ResourceType"] == "auto-scaling-group" && wire["Tags.member.1.ResourceId"] == "orbrec-st-1-workers-0123abcd")
        #expect(!wire.keys.contains { $0.hasPrefix("MixedInstancesPolicy") })
    }

    @Test func severalTypesOrSpotMakeAMixedInstancesPolicy() {
        let request = AutoScalingGroupRequest(name: "g", launchTemplateName: "lt", instanceTypes: ["c6i.large", "c5.large"], spot: true,
                                              spotAllocationStrategy: "lowest-price", spotInstancePools: 2, spotMaxPrice: "0.05",
                                              subnetIDs: ["subnet-a"], maxSize: 10, tags: [])
        let wire = values(request.parameters)
        let policy = "MixedInstancesPolicy"
        #expect(wire["\(policy).LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateName"] == "lt")
        #expect(wire["\(policy).LaunchTemplate.Overrides.member.1.InstanceType"] == "c6i.large")
        #expect(wire["\(policy).LaunchTemplate.Overrides.member.2.InstanceType"] == "c5.large")
        #expect(wire["\(policy).InstancesDistribution.OnDemandPercentageAboveBaseCapacity"] == "0")
        #expect(wire["\(policy).InstancesDistribution.SpotAllocationStrategy"] == "lowest-price")
        #expect(wire["\(policy).InstancesDistribution.SpotInstancePools"] == "2" && wire["\(policy).InstancesDistribution.SpotMaxPrice"] == "0.05")
        #expect(wire["LaunchTemplate.LaunchTemplateName"] == nil)
    }

    @Test func autoScalingRequestsCarryTheirOwnVersion() {
        let request = EC2Request(action: "SetDesiredCapacity", parameters: AutoScalingClient.members("AutoScalingGroupNames", ["g"]),
                                 version: AutoScalingClient.apiVersion)
        #expect(request.body == "Action=SetDesiredCapacity&Version=2011-01-01&AutoScalingGroupNames.member.1=g")
    }

    @Test func aDescribedGroupGivesItsCapacityMembersAndTags() throws {
        let tree = try #require(XMLTree.parse(try Self.fixture("describe-auto-scaling-groups")))
        let group = try #require(AutoScalingGroup.page(tree).groups.first)
        #expect(group.name == "orbrec-st-fixture-workers-0123abcd")
        #expect(group.desiredCapacity == 2 && group.minSize == 0 && group.maxSize == 10 && group.status == nil)
        #expect(group.members.count == 2 && group.liveInstanceIDs.count == 2 && group.members.allSatisfy { $0.instanceID.hasPrefix("i-") })
        #expect(group.tags == ["orbrec:managed-by": "st-fixture", "orbrec:fleet": "workers"])
    }

    @Test(arguments: [("Pending", true), ("Pending:Wait", true), ("InService", true), ("Standby", true), ("Terminating", false),
                      ("Terminating:Wait", false), ("Terminated", false), ("Detaching", false)])
    func membersInTheseLifecycleStatesAreLive(state: String, live: Bool) throws {
        let xml = "<r><AutoScalingGroupName>g</AutoScalingGroupName><Instances><member><InstanceId>i-1</InstanceId>"
            + "<LifecycleState>\(state)</LifecycleState></member></Instances></r>"
        let tree = try #require(XMLTree.parse(Data(xml.utf8)))
        let group = try #require(AutoScalingGroup(tree))
        #expect(group.liveInstanceIDs.isEmpty == !live)
    }

    @Test func aSpotFleetRequestIsReadWithItsOwnTagsNotItsSpecifications() throws {
        let tree = try #require(XMLTree.parse(try Self.fixture("describe-spot-fleet-requests")))
        let request = try #require(tree.elements("spotFleetRequestConfigSet/item").compactMap(SpotFleetRequest.init).first)
        #expect(request.id == "sfr-74abfd3df12d098b9" && request.state == "cancelled_running" && !request.isOpen)
        #expect(request.tags == ["orbrec:action": "act-1"])
    }

    @Test func anAutoScalingErrorIsReadLikeAnEC2One() throws {
        let error = EC2Error.parse(status: 400, body: try Self.fixture("error-autoscaling-invalid-subnet"))
        #expect(error.code == "InvalidSubnetID.NotFound")
        #expect(error.message == "The subnet ID 'subnet-doesnotexist' does not exist")
        #expect(error.requestID?.isEmpty == false)
        #expect(!error.isRetryable)
    }

    @Test func groupNamesAreDeterministicPerOwnerFleetAndSpec() {
        let name = AWSProvider.groupName(owner: "st-0123456789abcdef", fleet: "workers", templateHash: "fedcba9876543210")
        #expect(name == "orbrec-st-0123456789abcdef-workers-fedcba98")
        let long = AWSProvider.groupName(owner: String(repeating: "o", count: 40), fleet: "workers", templateHash: "fedcba9876543210")
        #expect(long.count < 60 && long.hasSuffix("-workers-fedcba98"))
        #expect(long != AWSProvider.groupName(owner: String(repeating: "o", count: 41), fleet: "workers", templateHash: "fedcba9876543210"))
    }
}
