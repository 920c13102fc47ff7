import Foundation
import Glibc
import Testing

/// orbrec against a real moto_server over the EC2 Query API, end to end through the binary.
@Suite(.serialized) struct AWSEndToEndTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    func jsonList(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "not a JSON list: \(text)")
    }

    /// `maxInFlight: 1`, so that a fault after N calls falls at a known machine.
    func oneCallAtATime(_ h: Harness) throws {
        let configuration = try String(contentsOfFile: h.config + "/aws.yaml", encoding: .utf8)
        try h.write("aws.yaml", configuration.replacingOccurrences(of: "region: us-east-1,", with: "region: us-east-1, maxInFlight: 1,"))
    }

    func stateID(_ h: Harness) throws -> String {
        let plan = try h.aws(["plan", "--json"])
        return try json(plan.stdout)["state_id"] as? String ?? ""
    }

    @Test func provisionThenDriftThenAdoptThenReturnEverything() throws {
        let h = try Harness()
        try h.writeAWS(endpoint: try Harness.motoEndpoint(), fleets: ["workers": 4])
        let apply = try h.aws(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let owner = try stateID(h)
        let live = try h.liveInstances(owner: owner)
        #expect(live.count == 4)
        #expect(Set(live.compactMap(\.machine)) == (try h.runningMachines()), "moto and the journal agree")
        #expect(live.allSatisfy { $0.fleet == "workers" && ($0.action ?? "").hasPrefix("act-") })

        // Terminated behind orbrec's back: planned as a replacement, reason machine-lost.
        let victim = try #require(live.first)
        #expect(try h.awsCLI(["ec2", "terminate-instances", "--instance-ids", victim.id]).status == 0)
        let drifted = try json(try h.aws(["plan", "--json"]).stdout)
        let actions = drifted["actions"] as? [[String: Any]] ?? []
        #expect(actions.contains { $0["verb"] as? String == "replace" && $0["reason"] as? String == "machine-lost"
            && ($0["machines"] as? [String] ?? []).contains(victim.machine ?? "?") }, "\(actions)")
        #expect(try h.aws(["apply", "--auto-approve"]).status == 0)
        #expect(try h.liveInstances(owner: owner).count == 4)
        #expect(try h.aws(["plan", "--detailed-exitcode"]).status == 0, "converged again")

        // An instance with this state's tags that the journal does not know: reported, adopted,
        // and the fleet, now one over, is scaled back in.
        let stray = try h.awsCLI(["ec2", "run-instances", "--image-id", "ami-0abcdef1234567890", "--instance-type", "t3.micro",
                                  "--count", "1", "--tag-specifications",
                                  "ResourceType=instance,Tags=[{Key=orbrec:managed-by,Value=\(owner)},{Key=orbrec:provider,Value=ec2},{Key=orbrec:fleet,Value=workers},{Key=orbrec:machine,Value=workers-stray},{Key=orbrec:template,Value=small}]"])
        #expect(stray.status == 0, "\(stray.stderr)")
        let plan = try json(try h.aws(["plan", "--json"]).stdout)
        let drift = plan["drift"] as? [[String: Any]] ?? []
        #expect(drift.contains { $0["machine"] as? String == "workers-stray" && ($0["message"] as? String ?? "").contains("adopted") }, "\(drift)")
        #expect(try h.aws(["apply", "--auto-approve"]).status == 0)
        #expect(try h.aws(["apply", "--auto-approve"]).status == 0)
        #expect(try h.liveInstances(owner: owner).count == 4, "adopted, then scaled back in to the count")

        // Removing the fleet returns every instance through TerminateInstances.
        try h.writeAWS(endpoint: try Harness.motoEndpoint(), fleets: [:])
        let teardown = try h.aws(["apply", "--auto-approve", "--allow-empty"])
        #expect(teardown.status == 0, "\(teardown.stderr)")
        #expect(try h.liveInstances(owner: owner).isEmpty)
        #expect(try h.aws(["plan", "--detailed-exitcode", "--allow-empty"]).status == 0, "terminated instances are history, not drift")
    }

    @Test func ec2FleetLaunchesTagsEachInstanceWithItsMachine() throws {
        let h = try Harness()
        try h.writeAWS(endpoint: try Harness.motoEndpoint(), fleets: ["burst": 3], providerApi: "EC2Fleet", extraTemplate: "  priceType: spot")
        let apply = try h.aws(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let live = try h.liveInstances(owner: try stateID(h))
        #expect(live.count == 3)
        #expect(Set(live.compactMap(\.machine)) == (try h.runningMachines()))
        #expect(try h.aws(["plan", "--detailed-exitcode"]).status == 0)
        // A second order of the same template reuses its launch template.
        try h.writeAWS(endpoint: try Harness.motoEndpoint(), fleets: ["burst": 5], providerApi: "EC2Fleet", extraTemplate: "  priceType: spot")
        #expect(try h.aws(["apply", "--auto-approve"]).status == 0)
        #expect(try h.liveInstances(owner: try stateID(h)).count == 5)
    }

    @Test(arguments: ["aws.after-launch:1", "aws.after-launch:4", "journal.after-intent", "action.after-provider"])
    func killDuringProvisioningThenRerunGivesTheExactCount(_ failpoint: String) throws {
        let h = try Harness()
        try h.writeAWS(endpoint: try Harness.motoEndpoint(), fleets: ["workers": 6])
        let killed = try h.aws(["apply", "--auto-approve"], environment: ["ORBREC_FAILPOINT": failpoint])
        #expect(killed.status == 9 || killed.status == 137, "killed at \(failpoint): \(killed.status) \(killed.stderr)")
        let rerun = try h.aws(["apply", "--auto-approve"])
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        let live = try h.liveInstances(owner: try stateID(h))
        #expect(live.count == 6, "\(failpoint): \(live.count) instances")
        #expect(Set(live.compactMap(\.machine)).count == 6, "no machine twice")
        #expect(Set(live.compactMap(\.machine)) == (try h.runningMachines()), "moto and the journal agree")
        #expect(try h.aws(["plan", "--detailed-exitcode"]).status == 0)
    }

    @Test func killFromOutsideMidApplyThenRerun() throws {
        let h = try Harness()
        try h.writeAWS(endpoint: try Harness.motoEndpoint(), fleets: ["workers": 8])
        for delay in [250, 600] {
            let apply = try h.start(["apply", "--auto-approve", "-c", h.config, "--state", h.state], environment: h.awsEnvironment)
            usleep(UInt32(delay * 1000))
            apply.kill9()
            _ = try apply.wait(timeout: 30)
        }
        #expect(try h.aws(["apply", "--auto-approve"]).status == 0)
        let live = try h.liveInstances(owner: try stateID(h))
        #expect(live.count == 8)
        #expect(Set(live.compactMap(\.machine)) == (try h.runningMachines()))
    }

    @Test func throttlingIsRetriedWithBackoff() throws {
        let h = try Harness()
        let proxy = try Harness.Proxy(h, arguments: ["--throttle", "3"])
        try h.writeAWS(endpoint: proxy.endpoint, fleets: ["workers": 2])
        let apply = try h.aws(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let stats = try proxy.stats()
        #expect(stats.throttled == 3)
        #expect(try h.liveInstances(owner: try stateID(h)).count == 2)
    }

    @Test func aClientErrorIsNotRetriedAndIsShownWithAWSsCodeAndMessage() throws {
        let h = try Harness()
        let proxy = try Harness.Proxy(h)
        try h.writeAWS(endpoint: proxy.endpoint, fleets: ["workers": 2], extraTemplate: "  securityGroupIds: [sg-0000000000doesnotexist]")
        let apply = try h.aws(["apply", "--auto-approve"])
        #expect(apply.status != 0)
        #expect(apply.stdout.contains("InvalidGroup.NotFound"), "\(apply.stdout)")
        #expect(try proxy.stats().calls["RunInstances"] == 2, "one call per machine, none repeated")
        let requests = try jsonList(try h.aws(["get", "requests", "-o", "json"]).stdout)
        let failed = try #require(requests.first { $0["kind"] as? String == "provision" })
        #expect(failed["status"] as? String == "failed")
        #expect((failed["message"] as? String ?? "").contains("InvalidGroup.NotFound"))
        #expect((failed["message"] as? String ?? "").contains("sg-0000000000doesnotexist"))
    }

    @Test func noCapacityEndsPartialAndTheRemainderIsPlannedAgain() throws {
        let h = try Harness()
        let proxy = try Harness.Proxy(h, arguments: ["--fail-action", "RunInstances:2:InsufficientInstanceCapacity"])
        try h.writeAWS(endpoint: proxy.endpoint, fleets: ["workers": 5])
        try oneCallAtATime(h)
        let apply = try h.aws(["apply", "--auto-approve"])
        #expect(apply.status != 0)
        let requests = try jsonList(try h.aws(["get", "requests", "-o", "json"]).stdout)
        let request = try #require(requests.first { $0["kind"] as? String == "provision" })
        #expect(request["status"] as? String == "partial")
        #expect(request["fulfilled"] as? Int == 2 && request["target"] as? Int == 5, "\(request)")
        #expect((request["message"] as? String ?? "").contains("InsufficientInstanceCapacity"))
        let plan = try json(try h.aws(["plan", "--json"]).stdout)
        #expect((plan["summary"] as? [String: Int])?["provision"] == 3, "the remainder is planned again")
        proxy.stop()
        try h.writeAWS(endpoint: try Harness.motoEndpoint(), fleets: ["workers": 5])
        #expect(try h.aws(["apply", "--auto-approve"]).status == 0)
        #expect(try h.liveInstances(owner: try stateID(h)).count == 5)
    }

    @Test func theEndpointGoingAwayMidApplyEndsClearlyAndALaterApplyConverges() throws {
        let h = try Harness()
        // DescribeInstances, then two launches, then nothing listens any more.
        let proxy = try Harness.Proxy(h, arguments: ["--die-after", "3"])
        try h.writeAWS(endpoint: proxy.endpoint, fleets: ["workers": 6])
        try oneCallAtATime(h)
        let apply = try h.aws(["apply", "--auto-approve"])
        #expect(apply.status != 0)
        #expect(apply.stdout.contains("EndpointUnreachable") && apply.stdout.contains("127.0.0.1:\(proxy.port)"), "\(apply.stdout)")
        let requests = try jsonList(try h.aws(["get", "requests", "-o", "json"]).stdout)
        #expect(requests.contains { ["partial", "failed"].contains($0["status"] as? String) }, "\(requests)")
        // The endpoint comes back on the same address.
        proxy.stop()
        let back = try Harness.Proxy(h, port: proxy.port)
        let later = try h.aws(["apply", "--auto-approve"])
        #expect(later.status == 0, "\(later.stdout)\(later.stderr)")
        let live = try h.liveInstances(owner: try stateID(h))
        #expect(live.count == 6)
        #expect(Set(live.compactMap(\.machine)) == (try h.runningMachines()))
        back.stop()
    }

    @Test func credentialsNeverAppearInOutputStateOrErrors() throws {
        let h = try Harness()
        try h.writeAWS(endpoint: try Harness.motoEndpoint(), fleets: ["workers": 2])
        var outputs: [Harness.Result] = []
        outputs.append(try h.aws(["plan"]))
        outputs.append(try h.aws(["plan", "--json"]))
        outputs.append(try h.aws(["apply", "--auto-approve", "--log-level", "debug"]))
        outputs.append(try h.aws(["get", "machines", "-o", "json"]))
        outputs.append(try h.aws(["get", "requests", "-o", "json"]))
        outputs.append(try h.aws(["get", "actions", "-o", "json"]))
        outputs.append(try h.aws(["history"]))
        outputs.append(try h.aws(["status", "--json"]))
        // Refused by the signature-checking moto: the error names the failure, not the secret.
        if let auth = ProcessInfo.processInfo.environment["ORBREC_TEST_MOTO_AUTH"] {
            try h.writeAWS(endpoint: auth, fleets: ["workers": 2])
            let refused = try h.aws(["plan"])
            #expect(refused.status != 0)
            #expect((refused.stdout + refused.stderr).contains("AuthFailure") || (refused.stdout + refused.stderr).contains("InvalidClientTokenId")
                    || (refused.stdout + refused.stderr).contains("UnrecognizedClient"), "\(refused.stdout)\(refused.stderr)")
            outputs.append(refused)
            outputs.append(try h.aws(["apply", "--auto-approve"]))
        }
        // No credentials at all: a clear message, no crash.
        let none = try h.orbrec(["plan"], environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "",
                                                         "AWS_SHARED_CREDENTIALS_FILE": h.directory + "/absent"])
        #expect(none.status != 0)
        #expect((none.stdout + none.stderr).contains("NoCredentials"), "\(none.stdout)\(none.stderr)")
        for output in outputs + [none] {
            #expect(!(output.stdout + output.stderr).contains(Harness.awsSecret))
        }
        #expect(!h.everythingWritten().contains(Harness.awsSecret), "the secret is nowhere in the state, the journal or the logs")
        #expect(h.everythingWritten().contains("workers"), "the state was written")
    }
}
