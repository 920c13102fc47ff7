import Foundation
import Testing

/// `providerApi: SpotFleet` and `providerApi: ASG` end to end through the binary against a
/// real moto_server: a fleet made, scaled in, grown, a chosen machine returned and replaced,
/// everything destroyed; and a kill between the launch and the tagging.
@Suite(.serialized) struct AWSFleetAPIEndToEndTests {
    static let fleetRole = "arn:aws:iam::123456789012:role/spot-fleet"

    func stateID(_ h: Harness) throws -> String {
        let plan = try h.aws(["plan", "--json"])
        return try h.json(plan.stdout)["state_id"] as? String ?? ""
    }

    /// The template lines that `api` needs beyond RunInstances'.
    func extra(_ h: Harness, _ api: String) throws -> String {
        if api == "SpotFleet" { return "  fleetRole: \(Self.fleetRole)\n  allocationStrategy: capacityOptimized" }
        let subnet = try h.awsCLI(["ec2", "describe-subnets", "--query", "Subnets[0].SubnetId", "--output", "text"])
        #expect(subnet.status == 0, "\(subnet.stderr)")
        return "  subnetIds: [\(subnet.stdout.trimmingCharacters(in: .whitespacesAndNewlines))]"
    }

    func write(_ h: Harness, _ api: String, count: Int) throws {
        try h.writeAWS(endpoint: try Harness.motoEndpoint(), fleets: ["burst": count], providerApi: api, extraTemplate: try extra(h, api))
    }

    /// The Auto Scaling groups of this state, by name, with their desired capacity.
    func groups(_ h: Harness, owner: String) throws -> [String: Int] {
        let result = try h.awsCLI(["autoscaling", "describe-auto-scaling-groups", "--output", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try h.json(result.stdout)
        var groups: [String: Int] = [:]
        for group in document["AutoScalingGroups"] as? [[String: Any]] ?? [] {
            let tags = (group["Tags"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) { $0[$1["Key"] as? String ?? ""] = $1["Value"] as? String }
            if tags["orbrec:managed-by"] == owner { groups[group["AutoScalingGroupName"] as? String ?? ""] = group["DesiredCapacity"] as? Int ?? -1 }
        }
        return groups
    }

    /// The Spot Fleet requests of this state, by id, with their state.
    func spotFleetRequests(_ h: Harness, owner: String) throws -> [String: String] {
        let result = try h.awsCLI(["ec2", "describe-spot-fleet-requests", "--output", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        var requests: [String: String] = [:]
        for request in try h.json(result.stdout)["SpotFleetRequestConfigs"] as? [[String: Any]] ?? [] {
            let tags = (request["Tags"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) { $0[$1["Key"] as? String ?? ""] = $1["Value"] as? String }
            if tags["orbrec:managed-by"] == owner { requests[request["SpotFleetRequestId"] as? String ?? ""] = request["SpotFleetRequestState"] as? String }
        }
        return requests
    }

    /// What the cloud holds for `api` besides instances is in step with the fleet.
    func expectCloudSide(_ h: Harness, _ api: String, owner: String, live: Int) throws {
        if api == "ASG" {
            let groups = try groups(h, owner: owner)
            #expect(live == 0 ? groups.isEmpty : Array(groups.values) == [live], "one group per fleet and spec, desired = machines: \(groups)")
        } else {
            let requests = try spotFleetRequests(h, owner: owner)
            #expect(requests.values.allSatisfy { !["submitted", "active", "modifying"].contains($0) }, "no request left open: \(requests)")
        }
    }

    @Test(arguments: ["SpotFleet", "ASG"])
    func aFleetIsMadeScaledReturnedByChoiceAndDestroyed(_ api: String) throws {
        let h = try Harness()
        try write(h, api, count: 2)
        let apply = try h.aws(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let owner = try stateID(h)
        var live = try h.liveInstances(owner: owner)
        #expect(live.count == 2 && live.allSatisfy { $0.fleet == "burst" && ($0.action ?? "").hasPrefix("act-") })
        #expect(Set(live.compactMap(\.machine)) == (try h.runningMachines()), "moto and the journal agree")
        try expectCloudSide(h, api, owner: owner, live: 2)

        try write(h, api, count: 1)
        #expect(try h.aws(["apply", "--auto-approve"]).status == 0)
        #expect(try h.liveInstances(owner: owner).count == 1)
        try expectCloudSide(h, api, owner: owner, live: 1)

        try write(h, api, count: 2)
        #expect(try h.aws(["apply", "--auto-approve"]).status == 0)
        live = try h.liveInstances(owner: owner)
        #expect(live.count == 2)
        #expect(Set(live.compactMap(\.machine)) == (try h.runningMachines()))
        try expectCloudSide(h, api, owner: owner, live: 2)

        // A chosen machine is returned: exactly that instance ends, the other stays.
        let chosen = try #require(live.sorted { ($0.machine ?? "") < ($1.machine ?? "") }.first)
        let returned = try h.aws(["machines", "return", chosen.machine ?? "?"])
        #expect(returned.status == 0, "\(returned.stdout)\(returned.stderr)")
        let after = try h.liveInstances(owner: owner)
        #expect(after.map(\.id) == live.filter { $0.id != chosen.id }.map(\.id), "only the chosen instance went")
        try expectCloudSide(h, api, owner: owner, live: 1)

        // Its fleet replaces it at the next apply.
        #expect(try h.aws(["apply", "--auto-approve"]).status == 0)
        #expect(try h.liveInstances(owner: owner).count == 2)
        #expect(try h.aws(["plan", "--detailed-exitcode"]).status == 0, "converged")

        let destroy = try h.aws(["destroy", "--auto-approve"])
        #expect(destroy.status == 0, "\(destroy.stdout)\(destroy.stderr)")
        #expect(try h.liveInstances(owner: owner).isEmpty)
        try expectCloudSide(h, api, owner: owner, live: 0)
    }

    /// Terminated behind orbrec's back: SpotFleet's one-time request does not replenish, so
    /// orbrec replaces the machine; an Auto Scaling group launches a replacement of its own
    /// (moto at once, AWS after its health check), which orbrec adopts or returns. Either way
    /// the fleet ends at its count, with the group's capacity in step.
    @Test(arguments: ["SpotFleet", "ASG"])
    func aMachineTerminatedOutsideIsReplacedAndTheFleetConverges(_ api: String) throws {
        let h = try Harness()
        try write(h, api, count: 2)
        #expect(try h.aws(["apply", "--auto-approve"]).status == 0)
        let owner = try stateID(h)
        let victim = try #require(try h.liveInstances(owner: owner).first)
        #expect(try h.awsCLI(["ec2", "terminate-instances", "--instance-ids", victim.id]).status == 0)
        let plan = try h.json(try h.aws(["plan", "--json"]).stdout)
        let actions = plan["actions"] as? [[String: Any]] ?? []
        #expect(actions.contains { $0["reason"] as? String == "machine-lost" }, "\(actions)")
        for _ in 0..<3 where try h.aws(["plan", "--detailed-exitcode"]).status != 0 {
            let apply = try h.aws(["apply", "--auto-approve"])
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        }
        #expect(try h.aws(["plan", "--detailed-exitcode"]).status == 0, "converged")
        let live = try h.liveInstances(owner: owner)
        #expect(live.count == 2 && !live.contains { $0.id == victim.id })
        #expect(try h.runningMachines().count == 2)
        try expectCloudSide(h, api, owner: owner, live: 2)
        #expect(try h.aws(["destroy", "--auto-approve"]).status == 0)
        #expect(try h.liveInstances(owner: owner).isEmpty)
    }

    @Test(arguments: ["SpotFleet", "ASG"])
    func aKillBetweenTheLaunchAndTheTaggingThenARerunGivesTheExactCount(_ api: String) throws {
        let h = try Harness()
        try write(h, api, count: 3)
        let killed = try h.aws(["apply", "--auto-approve"], environment: ["ORBREC_FAILPOINT": "aws.after-launch:1"])
        #expect(killed.status == 9 || killed.status == 137, "killed after the launch: \(killed.status) \(killed.stderr)")
        let owner = try stateID(h)
        let launched = try h.liveInstances(owner: owner)
        #expect(launched.count == 3 && launched.allSatisfy { $0.machine == nil }, "launched, not yet tagged with machines")

        let rerun = try h.aws(["apply", "--auto-approve"])
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        let live = try h.liveInstances(owner: owner)
        #expect(Set(live.map(\.id)) == Set(launched.map(\.id)), "the crashed launch's instances are adopted, none made twice")
        #expect(try h.runningMachines().count == 3, "and the journal holds exactly them")
        #expect(try h.aws(["plan", "--detailed-exitcode"]).status == 0, "converged")

        #expect(try h.aws(["destroy", "--auto-approve"]).status == 0)
        #expect(try h.liveInstances(owner: owner).isEmpty)
        if api == "ASG" { #expect(try groups(h, owner: owner).isEmpty, "the empty group is deleted") }
    }
}
