import Foundation
import OrbrecTestSupport
import Testing

/// examples/hostfactory driven as HostFactory drives a provider plugin: each call a real
/// process of the plugin's script, `SCRIPT -f INPUT.json` with the input written to a file of
/// its own, HF_PROVIDER_CONFDIR / WORKDIR / LOGDIR set, and the answer read from stdout.
@Suite("HostFactory plugin", .serialized)
struct HostFactoryPluginTests {
    static let plugin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/hostfactory").path

    /// HostFactory's side of the calls, for one harness's state.
    struct HostFactory {
        let h: Harness
        /// The provider instance's configuration directory (HF_PROVIDER_CONFDIR).
        let confdir: String
        var extraEnvironment: [String: String] = [:]

        var logdir: String { h.directory + "/hf-log" }

        /// As Symphony sets it for a provider instance: its work directory is where the
        /// example's scripts keep the state, so it is the harness's own state directory.
        var environment: [String: String] {
            var environment = ["HF_PROVIDER_CONFDIR": confdir, "HF_PROVIDER_WORKDIR": h.dataDirectory, "HF_PROVIDER_LOGDIR": logdir,
                               "ORBREC_BIN": Harness.binary]
            // A PostgreSQL state is named as an administrator would name a shared one.
            if h.backend == .postgres { environment["ORBREC_STATE"] = h.state }
            return environment.merging(extraEnvironment) { $1 }
        }

        /// One call: the input in a file of its own, the script run as HostFactory runs it.
        func call(_ script: String, _ input: String, environment more: [String: String] = [:]) throws -> Harness.Result {
            let file = h.directory + "/hf_in_\(UUID().uuidString.prefix(8))"
            try input.write(toFile: file, atomically: true, encoding: .utf8)
            return try h.runProgram(HostFactoryPluginTests.plugin + "/scripts/\(script).sh", ["-f", file],
                                    environment: environment.merging(more) { $1 })
        }

        /// A call that must succeed: exit 0 and exactly one JSON document on stdout.
        func answer(_ script: String, _ input: String) throws -> [String: Any] {
            let result = try call(script, input)
            #expect(result.status == 0, "\(script): exit \(result.status): \(result.stdout) \(result.stderr)")
            let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            return try #require(document as? [String: Any], "\(script): \(result.stdout)")
        }

        func requestMachines(_ template: String, _ count: Int) throws -> String {
            let answer = try answer("requestMachines", #"{"template": {"templateId": "\#(template)", "machineCount": \#(count)}, "rc_account": "default", "userData": {}}"#)
            return try #require(answer["requestId"] as? String, "\(answer)")
        }

        func status(_ ids: [String]) throws -> [[String: Any]] {
            let input = ids.map { #"{"requestId": "\#($0)"}"# }.joined(separator: ", ")
            return try answer("getRequestStatus", #"{"requests": [\#(input)]}"#)["requests"] as? [[String: Any]] ?? []
        }

        /// getRequestStatus, polled as HostFactory polls it, until the request is finished.
        func finished(_ id: String, timeout: Double = 60) throws -> [String: Any] {
            let deadline = Date().addingTimeInterval(timeout)
            var request: [String: Any] = [:]
            repeat {
                request = try #require(try status([id]).first)
                if request["status"] as? String != "running" { return request }
                Thread.sleep(forTimeInterval: 0.3)
            } while Date() < deadline
            Issue.record("\(id) still running after \(timeout)s: \(request)")
            return request
        }

        static func machineList(_ machines: [[String: Any]]) -> String {
            let items = machines.map { #"{"name": "\#($0["name"] as? String ?? "")", "machineId": "\#($0["machineId"] as? String ?? "")"}"# }
            return #"{"machines": [\#(items.joined(separator: ", "))]}"#
        }

        func requestReturn(_ machines: [[String: Any]]) throws -> String {
            let answer = try answer("requestReturnMachines", Self.machineList(machines))
            return try #require(answer["requestId"] as? String, "\(answer)")
        }

        func returnRequests(_ machines: [[String: Any]]) throws -> [[String: Any]] {
            try answer("getReturnRequests", Self.machineList(machines))["requests"] as? [[String: Any]] ?? []
        }

        /// orbrec itself on the same configuration and state, as an administrator looks at it.
        func orbrec(_ arguments: [String], environment more: [String: String] = [:]) throws -> Harness.Result {
            try h.run(arguments + ["-c", confdir, "--state", h.state], environment: extraEnvironment.merging(more) { $1 })
        }

        func stateID() throws -> String {
            try h.json(try orbrec(["plan", "--json"]).stdout)["state_id"] as? String ?? ""
        }
    }

    static func machines(_ request: [String: Any]) -> [[String: Any]] { request["machines"] as? [[String: Any]] ?? [] }

    @Test(arguments: TestStateBackend.allCases)
    func symphonyProvisionsReturnsAndLearnsOfAMachineTakenBack(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        let hf = HostFactory(h: h, confdir: Self.plugin + "/conf")

        let templates = try hf.answer("getAvailableTemplates", "{}")["templates"] as? [[String: Any]] ?? []
        let template = try #require(templates.first { $0["templateId"] as? String == "local-worker" }, "\(templates)")
        #expect(template["maxNumber"] as? Int == 10)
        let attributes = template["attributes"] as? [String: [String]] ?? [:]
        #expect(attributes["ncpus"] == ["Numeric", String(ProcessInfo.processInfo.activeProcessorCount)], "a local template offers this host: \(attributes)")
        #expect(attributes["mem"]?.first == "Numeric" && Int(attributes["mem"]?.last ?? "") ?? 0 > 0, "\(attributes)")
        #expect(attributes["type"] == ["String", "X86_64"], "\(attributes)")

        let id = try hf.requestMachines("local-worker", 3)
        #expect(id.hasPrefix("req-"))
        let created = try hf.finished(id)
        #expect(created["status"] as? String == "complete", "\(created)")
        let machines = Self.machines(created)
        #expect(machines.count == 3)
        for machine in machines {
            #expect(machine["result"] as? String == "succeed", "\(machine)")
            #expect((machine["privateIpAddress"] as? String)?.isEmpty == false, "\(machine)")
            #expect((machine["name"] as? String)?.isEmpty == false, "\(machine)")
            #expect((machine["launchtime"] as? Int ?? 0) > 1_700_000_000, "launchtime in epoch seconds: \(machine)")
        }
        let stateID = try hf.stateID()
        let ids = machines.compactMap { $0["machineId"] as? String }
        #expect(Set(h.machineProcesses(stateID: stateID).keys) == Set(ids))

        // HostFactory gives one back: its process goes, and nothing replaces it.
        let returned = machines[0], reclaimed = machines[1], healthy = machines[2]
        let returnID = try hf.requestReturn([returned])
        #expect(returnID.hasPrefix("ret-"))
        let returning = try hf.finished(returnID)
        #expect(returning["status"] as? String == "complete", "\(returning)")
        #expect(Self.machines(returning).map { $0["machineId"] as? String } == [returned["machineId"] as? String])
        #expect(Self.machines(returning).first?["result"] as? String == "succeed")
        #expect(try hf.status([id]).first?["status"] as? String == "complete", "the request now wants one fewer")
        #expect(Set(h.machineProcesses(stateID: stateID).keys) == Set(ids.dropFirst()), "the returned machine is gone and not replaced")

        // A machine killed behind orbrec's back, as a spot instance taken back: getReturnRequests
        // lists it, and not the healthy one, nor the one HostFactory returned.
        let victim = try #require(h.machineProcesses(stateID: stateID)[reclaimed["machineId"] as? String ?? ""])
        kill(-victim, SIGKILL)
        usleep(100_000)
        let taken = try hf.returnRequests([returned, reclaimed, healthy])
        #expect(taken.count == 1, "\(taken)")
        #expect(taken.first?["machine"] as? String == reclaimed["name"] as? String, "\(taken)")
        #expect(taken.first?["machineId"] as? String == reclaimed["machineId"] as? String, "\(taken)")
        #expect(taken.first?["gracePeriod"] as? Int == 0, "\(taken)")
        _ = try hf.status([id])
        #expect(Set(h.machineProcesses(stateID: stateID).keys) == [healthy["machineId"] as? String ?? ""],
                "HostFactory decides its own demand: a machine taken back is not replaced")

        // HostFactory then returns it: the return completes at once, and it is listed no more.
        let reclaimID = try hf.requestReturn([reclaimed])
        let reclaimReturn = try hf.finished(reclaimID, timeout: 10)
        #expect(reclaimReturn["status"] as? String == "complete", "\(reclaimReturn)")
        #expect(Self.machines(reclaimReturn).first?["result"] as? String == "succeed", "\(reclaimReturn)")
        #expect(try hf.returnRequests([reclaimed, healthy]).isEmpty)
        #expect(try hf.requestReturn([reclaimed]) == reclaimID, "a retry answers the request it made")
        #expect(Set(h.machineProcesses(stateID: stateID).keys) == [healthy["machineId"] as? String ?? ""])

        // Nothing but the answers reached stdout; the rest went to the log directory.
        let log = try String(contentsOfFile: hf.logdir + "/orbrec-hostfactory.log", encoding: .utf8)
        #expect(log.contains("op=requestMachines") && log.contains(id), "\(log.prefix(2000))")
    }

    @Test func aBadCallExitsOneWithAMessageOnStdout() throws {
        let h = try Harness()
        let hf = HostFactory(h: h, confdir: Self.plugin + "/conf")
        let notJSON = try hf.call("requestMachines", "machineCount=2")
        #expect(notJSON.status == 1)
        #expect(notJSON.stdout.hasPrefix("orbrec hostfactory requestMachines: ") && notJSON.stdout.contains("not JSON"), "\(notJSON.stdout)")
        #expect(notJSON.stdout.split(separator: "\n").count == 1, "one line: \(notJSON.stdout)")
        let missing = try hf.call("requestMachines", #"{"template": {"machineCount": 2}}"#)
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("template.templateId is missing"), "\(missing.stdout)")
        let unknown = try hf.call("requestMachines", #"{"template": {"templateId": "nope", "machineCount": 1}}"#)
        #expect(unknown.status == 1)
        #expect(unknown.stdout.contains("unknown-template") && unknown.stdout.contains("local-worker"), "\(unknown.stdout)")
        let over = try hf.call("requestMachines", #"{"template": {"templateId": "local-worker", "machineCount": 11}}"#)
        #expect(over.status == 1)
        #expect(over.stdout.contains("over-limit"), "\(over.stdout)")
        let none = try hf.call("requestMachines", #"{"template": {"templateId": "local-worker", "machineCount": 0}}"#)
        #expect(none.status == 1, "\(none.stdout)")
        let noFile = try h.runProgram(Self.plugin + "/scripts/getRequestStatus.sh", ["-f", h.directory + "/no-such-input"], environment: hf.environment)
        #expect(noFile.status == 1)
        #expect(noFile.stdout.contains("cannot read the input file"), "\(noFile.stdout)")
        let strangers = try hf.call("requestReturnMachines", #"{"machines": [{"name": "host-1", "machineId": "i-0123"}]}"#)
        #expect(strangers.status == 1, "\(strangers.stdout)")
        #expect(h.machineProcesses(stateID: try hf.stateID()).isEmpty, "nothing was provisioned")

        // A request this state never made is finished, with an error, so HostFactory stops asking.
        let stranger = try hf.status(["req-000000000000"])
        #expect(stranger.first?["status"] as? String == "complete_with_error", "\(stranger)")
        #expect(try hf.returnRequests([]).isEmpty)

        let noOrbrec = try hf.call("getAvailableTemplates", "{}", environment: ["ORBREC_BIN": h.directory + "/no-orbrec"])
        #expect(noOrbrec.status == 1)
        #expect(noOrbrec.stdout.contains("cannot find"), "\(noOrbrec.stdout)")
    }

    @Test func aReturnAPolicyDeniesIsRefusedBeforeItIsJournaled() throws {
        let h = try Harness()
        try h.write("orbrec.yaml", try String(contentsOfFile: Self.plugin + "/conf/orbrec.yaml", encoding: .utf8))
        try h.write("policies/no-returns.yaml", """
            apiVersion: orbrec/v1
            kind: Policy
            metadata: {name: no-returns}
            spec:
              enforcement: soft-mandatory
              rules:
                - name: no-return
                  scope: plan
                  deny: "size(plan.returns) > 0"
                  message: "no machine may be returned"
            """)
        let hf = HostFactory(h: h, confdir: h.config)
        let request = try hf.finished(try hf.requestMachines("local-worker", 1))
        let machine = try #require(Self.machines(request).first, "\(request)")
        let denied = try hf.call("requestReturnMachines", HostFactory.machineList([machine]))
        #expect(denied.status == 1)
        #expect(denied.stdout.contains("policy-denied") && denied.stdout.contains("no machine may be returned"), "\(denied.stdout)")
        #expect(h.machineProcesses(stateID: try hf.stateID()).keys.sorted() == [machine["machineId"] as? String ?? ""])
        let events = try hf.orbrec(["events", "-o", "json"]).stdout
        #expect(events.range(of: #"ret-[0-9a-z]{12}"#, options: .regularExpression) == nil, "nothing was journaled: \(events)")
    }

    /// kill -9 of the requestMachines process while it provisions: the request was answered and
    /// journaled first, and HostFactory's next getRequestStatus finishes it with no machine made
    /// twice and none forgotten.
    @Test(arguments: ["journal.after-intent", "local.after-spawn:1", "action.after-provider"])
    func requestMachinesKilledWhileItProvisionsIsCarriedOutOnce(_ failpoint: String) throws {
        let h = try Harness()
        let hf = HostFactory(h: h, confdir: Self.plugin + "/conf")
        let killed = try hf.call("requestMachines", #"{"template": {"templateId": "local-worker", "machineCount": 2}}"#,
                                 environment: ["ORBREC_FAILPOINT": failpoint])
        #expect(killed.status == 137, "killed at \(failpoint): \(killed.status) \(killed.stdout)")
        let answer = try h.json(killed.stdout)
        let id = try #require(answer["requestId"] as? String, "answered before it acted: \(killed.stdout)")
        let request = try hf.finished(id)
        #expect(request["status"] as? String == "complete", "\(request)")
        let machines = Set(Self.machines(request).compactMap { $0["machineId"] as? String })
        #expect(machines.count == 2, "\(request)")
        #expect(Set(h.machineProcesses(stateID: try hf.stateID()).keys) == machines, "no machine twice, none forgotten")
    }

    @Test func onEC2ThroughMoto() throws {
        let endpoint = try Harness.motoEndpoint()
        let h = try Harness()
        try h.write("aws.yaml", """
            apiVersion: orbrec/v1
            kind: Provider
            metadata: {name: ec2}
            spec: {type: aws, region: us-east-1, endpoint: "\(endpoint)"}
            ---
            apiVersion: orbrec/v1
            kind: Template
            metadata: {name: small}
            spec: {provider: ec2, imageId: ami-0abcdef1234567890, instanceType: t3.micro, priceType: spot}
            ---
            apiVersion: orbrec/v1
            kind: Template
            metadata: {name: large}
            spec: {provider: ec2, imageId: ami-0abcdef1234567890, instanceType: c6i.large, maxMachines: 4,
                   attributes: {ncpus: 2, memMB: 4096, type: X86_64}}
            """)
        let hf = HostFactory(h: h, confdir: h.config, extraEnvironment: h.awsEnvironment)

        let templates = try hf.answer("getAvailableTemplates", "{}")["templates"] as? [[String: Any]] ?? []
        let small = templates.first { $0["templateId"] as? String == "small" }?["attributes"] as? [String: [String]]
        let large = templates.first { $0["templateId"] as? String == "large" }
        #expect(small == ["ncpus": ["Numeric", "1"], "mem": ["Numeric", "1024"], "type": ["String", "X86_64"]], "\(templates)")
        #expect(large?["maxNumber"] as? Int == 4)
        #expect(large?["attributes"] as? [String: [String]] == ["ncpus": ["Numeric", "2"], "mem": ["Numeric", "4096"], "type": ["String", "X86_64"]])

        let id = try hf.requestMachines("small", 2)
        let created = try hf.finished(id)
        #expect(created["status"] as? String == "complete", "\(created)")
        let machines = Self.machines(created)
        #expect(machines.count == 2)
        for machine in machines {
            #expect(machine["result"] as? String == "succeed", "\(machine)")
            #expect((machine["privateIpAddress"] as? String)?.isEmpty == false, "\(machine)")
            #expect((machine["name"] as? String)?.isEmpty == false && machine["name"] as? String != machine["machineId"] as? String,
                    "an EC2 machine is named by its host name: \(machine)")
        }
        let owner = try hf.stateID()
        #expect(try h.liveInstances(owner: owner).count == 2)

        let returnID = try hf.requestReturn([machines[0]])
        let returning = try hf.finished(returnID)
        #expect(returning["status"] as? String == "complete", "\(returning)")
        let live = try h.liveInstances(owner: owner)
        #expect(live.map(\.machine) == [machines[1]["machineId"] as? String], "\(live)")

        // A spot instance AWS takes back: terminated outside orbrec, listed, not replaced.
        let instance = try #require(live.first?.id)
        #expect(try h.awsCLI(["ec2", "terminate-instances", "--instance-ids", instance]).status == 0)
        let taken = try hf.returnRequests([machines[1]])
        #expect(taken.map { $0["machineId"] as? String } == [machines[1]["machineId"] as? String], "\(taken)")
        _ = try hf.status([id])
        #expect(try h.liveInstances(owner: owner).isEmpty, "HostFactory decides its own demand: nothing replaces it")
        let reclaimReturn = try hf.finished(try hf.requestReturn([machines[1]]), timeout: 20)
        #expect(reclaimReturn["status"] as? String == "complete", "\(reclaimReturn)")
    }
}
