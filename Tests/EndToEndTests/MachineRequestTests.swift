import Foundation
import OrbrecTestSupport
import Testing

/// `machines request`, `requests status` and `machines return` as the Open Resource Broker's
/// users drive them, through the built binary on the local provider.
@Suite("Machine requests")
struct MachineRequestTests {
    static func writeTemplate(_ h: Harness, maxMachines: Int? = nil, replaceLost: Bool? = nil) throws {
        let limit = maxMachines.map { ", maxMachines: \($0)" } ?? ""
        try h.write("base.yaml", """
            apiVersion: orbrec/v1
            kind: Provider
            metadata: {name: here}
            spec: {type: local}
            ---
            apiVersion: orbrec/v1
            kind: Template
            metadata: {name: sleeper}
            spec: {provider: here, command: ["sleep", "300"], stopTimeout: 2s\(limit)}
            """)
    }

    static func request(_ h: Harness, _ arguments: String..., environment: [String: String] = [:]) throws -> [String: Any] {
        let result = try h.orbrec(["machines", "request"] + arguments + ["-o", "json"], environment: environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        return try h.json(result.stdout)
    }

    static func status(_ h: Harness, _ ids: [String]) throws -> [String: Any] {
        let result = try h.orbrec(["requests", "status"] + ids + ["-o", "json"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        return try h.json(result.stdout)
    }

    static func machines(_ document: [String: Any]) -> [[String: Any]] { document["machines"] as? [[String: Any]] ?? [] }

    @Test(arguments: TestStateBackend.allCases)
    func aRequestIsJournaledProvisionedAndReported(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try Self.writeTemplate(h)
        let answer = try Self.request(h, "sleeper", "2", "--wait", "--timeout", "60s")
        let id = try #require(answer["request_id"] as? String)
        #expect(id.hasPrefix("req-"))
        #expect(answer["status"] as? String == "complete", "\(answer)")
        let machines = Self.machines(answer)
        #expect(machines.count == 2)
        for machine in machines {
            #expect(machine["result"] as? String == "succeed")
            #expect((machine["hostname"] as? String)?.isEmpty == false, "a local machine is on this host: \(machine)")
            #expect(machine["private_ip_address"] is String, "\(machine)")
            #expect((machine["launch_time"] as? Int ?? 0) > 1_700_000_000)
        }
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 2)

        // The request is demand: the next plan of the files keeps its machines.
        let plan = try h.json(try h.orbrec("plan", "--json").stdout)
        #expect((plan["actions"] as? [Any])?.isEmpty == true, "\(plan)")
        let statusText = try h.orbrec("status")
        #expect(statusText.stdout.contains(id), "\(statusText.stdout)")

        // Returned by name: that machine goes, and the request now wants one fewer.
        let victim = try #require(machines.first?["machine_id"] as? String)
        let returned = try h.orbrec("machines", "return", victim, "--wait", "-o", "json")
        #expect(returned.status == 0, "\(returned.stdout)\(returned.stderr)")
        let returnID = try #require(try h.json(returned.stdout)["request_id"] as? String)
        #expect(returnID.hasPrefix("ret-"))
        let returnStatus = try Self.status(h, [returnID])
        #expect(returnStatus["status"] as? String == "complete", "\(returnStatus)")
        #expect(Self.machines(returnStatus).first?["result"] as? String == "succeed")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let live = h.machineProcesses(stateID: try h.stateID())
        #expect(live.count == 1, "the returned machine is not replaced: \(live)")
        #expect(live[victim] == nil)

        // Both at once, as ORB's `requests status ID ID` answers.
        let both = try Self.status(h, [id, returnID])
        #expect((both["requests"] as? [[String: Any]])?.count == 2)

        // --request returns what is left of it.
        let rest = try h.orbrec("machines", "return", "--request", id, "--wait")
        #expect(rest.status == 0, "\(rest.stdout)\(rest.stderr)")
        #expect(h.machineProcesses(stateID: try h.stateID()).isEmpty)
        let after = try h.json(try h.orbrec("plan", "--json").stdout)
        #expect((after["actions"] as? [Any])?.isEmpty == true, "a request given back wants nothing: \(after)")
    }

    @Test func aLostMachineOfARequestIsReplaced() throws {
        let h = try Harness()
        try Self.writeTemplate(h)
        let answer = try Self.request(h, "sleeper", "2", "--wait", "--timeout", "60s")
        let id = try #require(answer["request_id"] as? String)
        let processes = h.machineProcesses(stateID: try h.stateID())
        let (lost, pid) = try #require(processes.first)
        kill(pid, SIGKILL)
        let again = try h.orbrec("requests", "status", id, "-o", "json")
        #expect(again.status == 0, "\(again.stderr)")
        let deadline = Date().addingTimeInterval(30)
        var report: [String: Any] = [:]
        repeat {
            report = try Self.status(h, [id])
            if report["status"] as? String == "complete" && !Self.machines(report).contains(where: { $0["machine_id"] as? String == lost && $0["status"] as? String == "running" }) { break }
            Thread.sleep(forTimeInterval: 0.5)
        } while Date() < deadline
        #expect(report["status"] as? String == "complete", "\(report)")
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 2, "the lost machine was replaced")
        #expect(h.machineProcesses(stateID: try h.stateID())[lost] == nil)
    }

    @Test func aRequestIsRefusedWithNothingJournaledOverMaxMachinesOrForAnUnknownTemplate() throws {
        let h = try Harness()
        try Self.writeTemplate(h, maxMachines: 2)
        let over = try h.orbrec("machines", "request", "sleeper", "3")
        #expect(over.status == 1)
        #expect(over.stderr.contains("over-limit") && over.stderr.contains("maxMachines"), "\(over.stderr)")
        let unknown = try h.orbrec("machines", "request", "nope", "1")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown-template") && unknown.stderr.contains("sleeper"), "\(unknown.stderr)")
        _ = try Self.request(h, "sleeper", "2")
        let third = try h.orbrec("machines", "request", "sleeper", "1")
        #expect(third.status == 1, "two are held already: \(third.stdout)\(third.stderr)")
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 2)
    }

    @Test func anIdempotencyKeyAnswersTheSameRequestOnce() throws {
        let h = try Harness()
        try Self.writeTemplate(h)
        let first = try Self.request(h, "sleeper", "1", "--idempotency-key", "k-1")
        let second = try Self.request(h, "sleeper", "1", "--idempotency-key", "k-1")
        #expect(first["request_id"] as? String == second["request_id"] as? String)
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 1)
    }

    /// kill -9 at each step of a request's provisioning, then ask for its status: it neither
    /// duplicates a machine nor forgets one.
    @Test(arguments: ["request.after-journal", "journal.after-intent", "action.after-issuing", "action.after-provider"])
    func aRequestKilledAtAnyStepIsCarriedOutOnce(_ failpoint: String) throws {
        let h = try Harness()
        try Self.writeTemplate(h)
        let killed = try h.orbrec(["machines", "request", "sleeper", "2"], environment: ["ORBREC_FAILPOINT": failpoint])
        #expect(killed.status == 9 || killed.status == 137, "killed at \(failpoint): \(killed.status) \(killed.stderr)")
        // The first event of all is the request's: it was journaled before anything else.
        let events = try h.orbrec("events", "-o", "json")
        let id = try #require(events.stdout.range(of: #"request/req-[0-9a-z]{12}"#, options: .regularExpression)
                                  .map { String(events.stdout[$0].dropFirst("request/".count)) }, "\(events.stdout)")
        var report: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(60)
        repeat {
            report = try Self.status(h, [id])
            if report["status"] as? String == "complete" { break }
            Thread.sleep(forTimeInterval: 0.5)
        } while Date() < deadline
        #expect(report["status"] as? String == "complete", "\(report)")
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 2, "exactly the machines asked for")
        #expect(Self.machines(report).filter { $0["status"] as? String == "running" }.count == 2, "\(report)")
    }
}

extension MachineRequestTests {
    @Test(arguments: TestStateBackend.allCases)
    func destroyWithdrawsRequestsSoTheNextApplyAsksForNothing(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try Self.writeTemplate(h)
        let answer = try Self.request(h, "sleeper", "2", "--wait", "--timeout", "60s")
        let id = try #require(answer["request_id"] as? String)
        let destroyed = try h.orbrec("destroy", "--auto-approve")
        #expect(destroyed.status == 0, "\(destroyed.stdout)\(destroyed.stderr)")
        let state = try h.stateID()
        #expect(h.eventually(timeout: 10) { h.machineProcesses(stateID: state).isEmpty }, "the request's machines are returned")
        let report = try Self.status(h, [id])
        #expect(report["status"] as? String == "cancelled", "\(report)")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(h.machineProcesses(stateID: state).isEmpty, "a withdrawn request asks for nothing")
    }
}

extension MachineRequestTests {
    /// A reader that goes away (`| head -1`) does not crash the command: it finishes its work.
    @Test func aClosedPipeDoesNotCrashTheCommand() throws {
        let h = try Harness()
        try Self.writeTemplate(h)
        let script = #""$0" machines request sleeper 2 --wait -c "$1" --state "$2" 2>/dev/null | head -c 1 >/dev/null; echo "${PIPESTATUS[0]}""#
        let result = try h.spawn("/bin/bash", ["-c", script, Harness.binary, h.config, h.state]).wait(timeout: 60)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(result.stdout)\(result.stderr)")
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 2)
    }
}

extension MachineRequestTests {
    /// Eight processes ask at once (HostFactory calls in parallel) for a template with room for
    /// three: exactly three requests are admitted, the others refused, and the plan still works.
    @Test(arguments: TestStateBackend.allCases)
    func requestsFromSeveralProcessesAtOnceNeverOvershootMaxMachines(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try Self.writeTemplate(h, maxMachines: 3)
        // The state exists before the racers start, as it would under HostFactory.
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let racers = try (0..<8).map { _ in try h.startOrbrec("machines", "request", "sleeper", "1", "--lock-timeout", "5s") }
        let results = try racers.map { try $0.wait(timeout: 120) }
        let admitted = results.filter { $0.status == 0 }
        #expect(admitted.count == 3, "\(results.map { "\($0.status): \($0.stderr)" })")
        #expect(results.filter { $0.status != 0 }.allSatisfy { $0.stderr.contains("over-limit") }, "\(results.map(\.stderr))")
        let plan = try h.orbrec("plan", "--json")
        #expect(plan.status == 0, "the plan holding the admitted requests is valid: \(plan.stderr)")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let state = try h.stateID()
        #expect(h.eventually(timeout: 10) { h.machineProcesses(stateID: state).count == 3 })
    }
}

extension MachineRequestTests {
    @Test func cancellingARequestWithdrawsWhatIsNotYetDeliveredAndReturnsWhatIsHeld() throws {
        let h = try Harness()
        try Self.writeTemplate(h)
        let id = try #require(try Self.request(h, "sleeper", "2", "--wait", "--timeout", "60s")["request_id"] as? String)
        let cancelled = try h.orbrec("requests", "cancel", id, "-o", "json")
        #expect(cancelled.status == 0, "\(cancelled.stdout)\(cancelled.stderr)")
        let state = try h.stateID()
        #expect(h.eventually(timeout: 10) { h.machineProcesses(stateID: state).isEmpty })
        #expect(try Self.status(h, [id])["status"] as? String == "cancelled")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(h.machineProcesses(stateID: state).isEmpty, "a withdrawn request asks for nothing more")
        #expect(try h.orbrec("requests", "cancel", "req-nosuchrequest").status == 1)
    }

    @Test func returningARequestGivesItBackWhole() throws {
        let h = try Harness()
        try Self.writeTemplate(h)
        let id = try #require(try Self.request(h, "sleeper", "2", "--wait", "--timeout", "60s")["request_id"] as? String)
        let returned = try h.orbrec("machines", "return", "--request", id, "--wait")
        #expect(returned.status == 0, "\(returned.stdout)\(returned.stderr)")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(h.machineProcesses(stateID: try h.stateID()).isEmpty, "nothing more is provisioned for it")
    }

    @Test func anIdempotencyKeyForAnotherRequestIsRefusedAndCountsAreBounded() throws {
        let h = try Harness()
        try Self.writeTemplate(h)
        _ = try Self.request(h, "sleeper", "1", "--idempotency-key", "k-9")
        let reused = try h.orbrec("machines", "request", "sleeper", "2", "--idempotency-key", "k-9")
        #expect(reused.status == 1 && reused.stderr.contains("idempotency_key_reused"), "\(reused.stderr)")
        let huge = try h.orbrec("machines", "request", "sleeper", "9223372036854775807")
        #expect(huge.status == 1 && huge.stderr.contains("invalid-count"), "\(huge.stderr)")
    }

    /// A request journaled over the limit (its process killed before it could be judged again)
    /// waits for room; it does not stop the plans of every other fleet.
    @Test func aRequestLeftOverTheLimitWaitsInsteadOfWedgingEveryPlan() throws {
        let h = try Harness()
        try Self.writeTemplate(h, maxMachines: 2)
        _ = try Self.request(h, "sleeper", "2", "--wait", "--timeout", "60s")
        // Another process's request killed between journaling and its second look: it stays open.
        try h.write("base.yaml", try String(contentsOfFile: h.config + "/base.yaml", encoding: .utf8).replacingOccurrences(of: "maxMachines: 2", with: "maxMachines: 4"))
        let killed = try h.orbrec(["machines", "request", "sleeper", "2"], environment: ["ORBREC_FAILPOINT": "request.after-journal"])
        #expect(killed.status == 9 || killed.status == 137)
        try h.write("base.yaml", try String(contentsOfFile: h.config + "/base.yaml", encoding: .utf8).replacingOccurrences(of: "maxMachines: 4", with: "maxMachines: 2"))
        let plan = try h.orbrec("plan", "--json")
        #expect(plan.status == 0, "the plan is still made: \(plan.stderr)")
        #expect(plan.stderr.contains("request-over-limit") || plan.stdout.contains("request-over-limit"), "\(plan.stdout)\(plan.stderr)")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 2)
    }
}
