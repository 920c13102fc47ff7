import Foundation
import OrbrecTestSupport
import Testing

@Suite struct QuickstartFlowTests {
    @Test(arguments: TestStateBackend.allCases)
    func quickstartConvergesAndACountChangePlansTwoReturns(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/quickstart").path
        // Only the example's configuration files: whatever a run left beside them (a state
        // directory, an editor's backup) is not the example.
        let files = try FileManager.default.contentsOfDirectory(atPath: example)
            .filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json")) }
        #expect(files.sorted() == ["fleet.yaml", "provider.yaml", "template.yaml"])
        for name in files {
            try h.write(name, try String(contentsOfFile: "\(example)/\(name)", encoding: .utf8))
        }
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "30s")
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("Converged"))

        let status = try h.json(try h.orbrec("status", "--json").stdout)
        #expect(status["converged"] as? Bool == true)
        let fleet = (status["resources"] as? [[String: Any]])?.first { $0["resource"] as? String == "Fleet/workers" }
        #expect(fleet?["observed"] as? String == "3 running")
        #expect(fleet?["health"] as? String == "Healthy")
        #expect(fleet?["sync"] as? String == "Synced")
        let id = try h.stateID()
        #expect(h.machineProcesses(stateID: id).count == 3)

        try h.write("fleet.yaml", try String(contentsOfFile: "\(example)/fleet.yaml", encoding: .utf8)
            .replacingOccurrences(of: "count: 3", with: "count: 1"))
        let plan = try h.orbrec("plan", "--detailed-exitcode")
        #expect(plan.status == 2)
        #expect(plan.stdout.contains("  - return "))
        #expect(plan.stdout.contains("Plan: 0 to provision, 2 to return, 0 to replace."))
        #expect(!plan.stdout.contains("\u{1B}["), "no colour outside a terminal")

        let json = try h.json(try h.orbrec("plan", "--json").stdout)
        #expect(json["format_version"] as? String == "1.0")
        #expect((json["summary"] as? [String: Int])?["return"] == 2)
        let actions = json["actions"] as? [[String: Any]] ?? []
        #expect(actions.count == 1)
        #expect(actions.first?["verb"] as? String == "return")
        #expect(actions.first?["reason"] as? String == "scale-down")
        #expect((actions.first?["machines"] as? [String])?.count == 2)
        for key in ["id", "resource", "detail", "resource_version"] { #expect(actions.first?[key] != nil) }
        for key in ["config_revision", "drift", "policy", "state_id", "resource_versions"] { #expect(json[key] != nil) }

        let scaleDown = try h.orbrec("apply", "--auto-approve")
        #expect(scaleDown.status == 0, "\(scaleDown.stderr)")
        #expect(h.machineProcesses(stateID: id).count == 1)
        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0)

        let requests = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "requests", "-o", "json").stdout.utf8)) as? [[String: Any]] ?? []
        let returned = try #require(requests.first { $0["kind"] as? String == "return" })
        #expect(returned["status"] as? String == "complete")
        #expect((returned["id"] as? String)?.hasPrefix("ret-") == true)
        let show = try h.orbrec("requests", "show", returned["id"] as? String ?? "")
        #expect(show.status == 0)
        #expect(show.stdout.contains("Status:   complete"))
        #expect(try h.orbrec("requests", "show", "req-nope").status == 1)

        let history = try JSONSerialization.jsonObject(with: Data(try h.orbrec("history", "--json").stdout.utf8)) as? [[String: Any]] ?? []
        #expect(history.map { $0["verb"] as? String } == ["return", "provision"])
        #expect(history.allSatisfy { $0["state"] as? String == "succeeded" })
    }

    @Test(arguments: TestStateBackend.allCases)
    func statusOnAnEmptyStateCreatesNothing(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 2)
        let status = try h.orbrec("status")
        #expect(status.status == 0)
        #expect(status.stdout.contains("Fleet/workers"))
        #expect(status.stdout.contains("Missing"))
        #expect(!(try h.stateExists()))
        #expect(try h.orbrec("get", "machines").stdout.contains("No state at"))
        #expect(try h.orbrec("lock", "status").stdout.contains("not locked"))
    }

    @Test(arguments: TestStateBackend.allCases)
    func applyAsksForConfirmationAndOnlyYesApproves(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 1)
        let refused = try h.orbrec("apply", stdin: "no\n")
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("Apply cancelled"))
        #expect(h.machineProcesses(stateID: try h.stateID()).isEmpty)
        let approved = try h.orbrec("apply", stdin: "yes\n")
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 1)
    }

    @Test(arguments: TestStateBackend.allCases)
    func initWritesAValidConfigurationAndValidateSaysSo(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        let target = h.directory + "/fresh"
        #expect(try h.run(["init", target]).status == 0)
        #expect(try h.run(["init", target]).status == 1, "init never overwrites")
        let valid = try h.run(["validate", "-c", target])
        #expect(valid.status == 0)
        #expect(valid.stdout.contains("1 provider(s), 1 template(s), 1 fleet(s)"))
    }
}
