import Foundation
import Glibc
import Testing

/// orbrec provisioning through the Open Resource Broker's own HostFactory plugin: the scripts
/// orb-py 1.8.5 ships in its wheel (scripts/lib/orb.sh installs it), configured for
/// HostFactory against the tests' moto_server, behind a `type: hostfactory` provider.
@Suite(.serialized) struct OpenResourceBrokerEndToEndTests {
    struct ORB {
        var scripts: String
        var venv: String
        var conf: String
        var work: String
        var templateID: String
        /// What ORB needs beyond HostFactory's own variables (no secret: the keys come from orbrec's environment).
        var env: [String: String]
    }

    static let credentials = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"]

    /// ORB's configuration for HostFactory mode: its config.json (one aws provider instance) and
    /// that instance's templates file, pointing at a VPC, subnet and security group made in moto.
    func configureORB(_ h: Harness) throws -> ORB {
        let environment = ProcessInfo.processInfo.environment
        let scripts = try #require(environment["ORBREC_TEST_ORB_SCRIPTS"], "ORBREC_TEST_ORB_SCRIPTS is not set: run scripts/test.sh (ensure_orb)")
        let venv = try #require(environment["ORBREC_TEST_ORB_VENV"], "ORBREC_TEST_ORB_VENV is not set: run scripts/test.sh (ensure_orb)")
        let moto = try Harness.motoEndpoint()
        func text(_ arguments: [String]) throws -> String {
            let result = try h.awsCLI(arguments + ["--output", "text"])
            #expect(result.status == 0, "aws \(arguments.joined(separator: " ")): \(result.stderr)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let vpc = try text(["ec2", "create-vpc", "--cidr-block", "10.30.0.0/16", "--query", "Vpc.VpcId"])
        let subnet = try text(["ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.30.1.0/24", "--query", "Subnet.SubnetId"])
        let group = try text(["ec2", "create-security-group", "--group-name", "orbrec-orb-\(UUID().uuidString.prefix(6))",
                              "--description", "orbrec e2e", "--vpc-id", vpc, "--query", "GroupId"])
        let image = try text(["ec2", "describe-images", "--owners", "amazon", "--query", "Images[0].ImageId"])
        #expect(subnet.hasPrefix("subnet-") && group.hasPrefix("sg-") && image.hasPrefix("ami-"), "\(subnet) \(group) \(image)")

        let conf = h.directory + "/orb/conf", work = h.directory + "/orb/work"
        try FileManager.default.createDirectory(atPath: conf, withIntermediateDirectories: true)
        let templateID = "orbrec-e2e-\(UUID().uuidString.prefix(8).lowercased())"
        try """
            {"scheduler": {"type": "hostfactory"},
             "provider": {"providers": [{"name": "aws-moto", "type": "aws", "enabled": true, "config": {"region": "us-east-1"}}],
                          "default_provider_instance": "aws-moto"}}
            """.write(toFile: conf + "/config.json", atomically: true, encoding: .utf8)
        try """
            {"templates": [{"templateId": "\(templateID)", "maxNumber": 10, "providerApi": "RunInstances", "priceType": "ondemand",
              "imageId": "\(image)", "vmType": "t2.micro", "subnetId": "\(subnet)", "securityGroupIds": ["\(group)"],
              "attributes": {"type": ["String", "X86_64"], "ncpus": ["Numeric", "1"], "nram": ["Numeric", "1024"]}}]}
            """.write(toFile: conf + "/aws-moto_templates.json", atomically: true, encoding: .utf8)
        return ORB(scripts: scripts, venv: venv, conf: conf, work: work, templateID: templateID, env: [
            // ORB's startup check finds config.json through ORB_CONFIG_DIR only, not HF_PROVIDER_CONFDIR.
            "ORB_CONFIG_DIR": conf,
            // invoke_provider.sh activates this venv to find its `orb` command.
            "ORB_VENV_PATH": venv,
            // boto3 takes the endpoint from the environment; ORB's own endpoint_url setting reaches no client.
            "AWS_ENDPOINT_URL": moto, "AWS_DEFAULT_REGION": "us-east-1",
        ])
    }

    func writeProvider(_ h: Harness, _ orb: ORB, count: Int) throws {
        let env = orb.env.sorted { $0.key < $1.key }.map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", ")
        try h.write("orb.yaml", """
            apiVersion: orbrec/v1
            kind: Provider
            metadata: {name: orb}
            spec:
              type: hostfactory
              scriptsDir: \(orb.scripts)
              confDir: \(orb.conf)
              workDir: \(orb.work)
              env: {\(env)}
              timeout: 60s
            ---
            apiVersion: orbrec/v1
            kind: Template
            metadata: {name: small}
            spec: {provider: orb, templateId: \(orb.templateID)}
            ---
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: workers}
            spec: {template: small, count: \(count)}
            """)
    }

    /// The instances ORB launched for this test's template, by id, with their state and ORB's request id.
    func instances(_ h: Harness, _ orb: ORB) throws -> [String: (state: String, request: String)] {
        let result = try h.awsCLI(["ec2", "describe-instances", "--filters", "Name=tag:orb:template-id,Values=\(orb.templateID)", "--output", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        var found: [String: (state: String, request: String)] = [:]
        for reservation in document["Reservations"] as? [[String: Any]] ?? [] {
            for item in reservation["Instances"] as? [[String: Any]] ?? [] {
                let tags = (item["Tags"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) { $0[$1["Key"] as? String ?? ""] = $1["Value"] as? String }
                found[item["InstanceId"] as? String ?? ""] = ((item["State"] as? [String: Any])?["Name"] as? String ?? "", tags["orb:request-id"] ?? "")
            }
        }
        return found
    }

    func live(_ h: Harness, _ orb: ORB) throws -> Set<String> {
        Set(try instances(h, orb).filter { $0.value.state == "pending" || $0.value.state == "running" }.keys)
    }

    func runningMachines(_ h: Harness) throws -> [String: String] {
        try h.machineRows().filter { $0["state"] as? String == "running" }
            .reduce(into: [:]) { $0[$1["id"] as? String ?? ""] = $1["provider_id"] as? String ?? "" }
    }

    @Test func aFleetThroughTheOpenResourceBrokersPluginConvergesAndReturns() throws {
        let h = try Harness()
        let orb = try configureORB(h)
        try writeProvider(h, orb, count: 3)

        // moto launches MinCount instances and ORB asks RunInstances for MinCount 1, MaxCount N:
        // each request ORB answers `complete_with_error` with one machine, and orbrec asks again
        // for the rest until the fleet is whole.
        let apply = try h.orbrec(["apply", "--auto-approve", "--wait", "--timeout", "4m"], environment: Self.credentials)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let machines = try runningMachines(h)
        #expect(machines.count == 3, "\(String(describing: try? h.machineRows()))")
        #expect(machines.values.allSatisfy { $0.hasPrefix("i-") }, "machines are named by their instance ids: \(machines)")
        #expect(Set(machines.values) == (try live(h, orb)), "moto and orbrec agree: \(String(describing: try? instances(h, orb)))")
        let wide = try h.orbrec(["get", "machines", "-o", "wide"], environment: Self.credentials)
        #expect(wide.stdout.contains("10."), "ORB's private addresses are shown: \(wide.stdout)")
        #expect(try h.orbrec(["plan", "--detailed-exitcode"], environment: Self.credentials).status == 0, "converged")

        // `machines return` goes through ORB's requestReturnMachines: the instance is terminated in moto.
        let (chosen, instance) = try #require(machines.sorted { $0.key < $1.key }.first)
        let returned = try h.orbrec(["machines", "return", chosen], environment: Self.credentials)
        #expect(returned.status == 0, "\(returned.stdout)\(returned.stderr)")
        let again = try h.orbrec(["apply", "--auto-approve", "--wait", "--timeout", "4m"], environment: Self.credentials)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(["shutting-down", "terminated"].contains(try instances(h, orb)[instance]?.state ?? "?"), "\(String(describing: try? instances(h, orb)))")
        #expect(try live(h, orb).count == 3, "the fleet made up its count")
        #expect(try runningMachines(h)[chosen] == nil)

        // An instance terminated behind orbrec's back is not reported by ORB 1.8.5's plugin: a
        // RunInstances request is `complete` at launch, and ORB answers getRequestStatus for a
        // finished request from its own records without asking EC2 again; its getReturnRequests
        // lists only the returns asked of it. So orbrec sees nothing to replace. Checked here on
        // ORB's own answer, so the day ORB reports it this test says so.
        let (victim, victimInstance) = try #require(try runningMachines(h).sorted { $0.key < $1.key }.first)
        #expect(try h.awsCLI(["ec2", "terminate-instances", "--instance-ids", victimInstance]).status == 0)
        let request = try #require(try instances(h, orb)[victimInstance]?.request)
        let input = h.directory + "/status-input.json"
        try #"{"requests": [{"requestId": "\#(request)"}]}"#.write(toFile: input, atomically: true, encoding: .utf8)
        let started = Date()
        let status = try h.runProgram(orb.scripts + "/getRequestStatus.sh", ["-f", input], environment: orb.env.merging(Self.credentials) { $1 }
            .merging(["HF_PROVIDER_CONFDIR": orb.conf, "HF_PROVIDER_WORKDIR": orb.work, "HF_PROVIDER_LOGDIR": orb.work + "/logs",
                       // ORB's scripts log to $HF_LOGDIR/scripts.log, by default in the working directory (the repository's).
                       "HF_LOGDIR": orb.work + "/logs"]) { $1 })
        let seconds = Date().timeIntervalSince(started)
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        let document = try h.json(String(status.stdout[(status.stdout.firstIndex(of: "{") ?? status.stdout.startIndex)...]))
        let reported = ((document["requests"] as? [[String: Any]])?.first?["machines"] as? [[String: Any]] ?? [])
            .first { $0["machineId"] as? String == victimInstance }
        #expect(reported?["result"] as? String != "fail", "ORB 1.8.5 still reports \(victimInstance) as it was: \(reported ?? [:])")
        #expect(seconds < 30, "one ORB script call took \(seconds) s")
        let plan = try h.orbrec(["plan", "--detailed-exitcode"], environment: Self.credentials)
        #expect(plan.status == 0, "through ORB, \(victim)'s loss is not seen: \(plan.stdout)")

        // Removing the fleet returns the rest through ORB.
        try h.write("orb.yaml", try String(contentsOfFile: h.config + "/orb.yaml", encoding: .utf8)
            .replacingOccurrences(of: "count: 3", with: "count: 0"))
        let teardown = try h.orbrec(["apply", "--auto-approve", "--wait", "--timeout", "4m"], environment: Self.credentials)
        #expect(teardown.status == 0, "\(teardown.stdout)\(teardown.stderr)")
        #expect(try live(h, orb).isEmpty, "\(String(describing: try? instances(h, orb)))")
    }
}
