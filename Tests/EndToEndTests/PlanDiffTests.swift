import Foundation
import Testing

/// A replace or an update names the fields that change, in text and in `--json`; a secret
/// (`userData`) never shows.
///
/// SQLite only: the state is read back with sqlite3 to show the history keeps a digest.
@Suite struct PlanDiffTests {
    @Test func aTemplateChangeShowsTheChangedFieldOnEachReplacement() throws {
        let h = try Harness()
        try h.writeFleet(count: 2, command: #"["sleep", "300"]"#)
        let first = try h.orbrec("apply", "--auto-approve")
        #expect(first.status == 0, "\(first.stderr)")

        try h.writeFleet(count: 2, command: #"["sleep", "400"]"#)
        let plan = try h.orbrec("plan")
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains(#"~ command: ["sleep", "300"] -> ["sleep", "400"]  # forces replacement"#), "\(plan.stdout)")
        #expect(plan.stdout.components(separatedBy: "~ command:").count - 1 == 2, "one diff per replaced machine: \(plan.stdout)")

        let json = try h.json(try h.orbrec("plan", "--json").stdout)
        #expect(json["format_version"] as? String == "1.0")
        let actions = json["actions"] as? [[String: Any]] ?? []
        #expect(actions.count == 2)
        for action in actions {
            #expect(action["reason"] as? String == "template-changed")
            let changes = action["changes"] as? [[String: Any]] ?? []
            #expect(changes.count == 1)
            #expect(changes.first?["field"] as? String == "command")
            #expect(changes.first?["before"] as? String == #"["sleep", "300"]"#)
            #expect(changes.first?["after"] as? String == #"["sleep", "400"]"#)
            #expect(changes.first?["forces_replacement"] as? Bool == true)
            #expect(changes.first?["sensitive"] as? Bool == false)
        }

        // A saved plan keeps the changes and still applies.
        #expect(try h.orbrec("plan", "--out", h.directory + "/plan.json").status == 0)
        let saved = try h.json(try String(contentsOfFile: h.directory + "/plan.json", encoding: .utf8))
        #expect(((saved["actions"] as? [[String: Any]])?.first?["changes"] as? [[String: Any]])?.count == 1)
        let applied = try h.orbrec("apply", h.directory + "/plan.json")
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try h.orbrec("plan").stdout.contains("No changes."))
    }

    @Test func inPlaceFieldsAreAnUpdateWithoutReplacement() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let machines = try h.runningMachines()

        try h.write("base.yaml", """
            apiVersion: orbrec/v1
            kind: Provider
            metadata: {name: here}
            spec: {type: local}
            ---
            apiVersion: orbrec/v1
            kind: Template
            metadata: {name: sleeper, labels: {team: ml}}
            spec: {provider: here, command: ["sleep", "300"], stopTimeout: 5s, maxMachines: 4}
            """)
        let plan = try h.orbrec("plan", "--detailed-exitcode")
        #expect(plan.status == 2, "an update is a change: \(plan.stdout) \(plan.stderr)")
        #expect(plan.stdout.contains("~ update Template/sleeper in place"), "\(plan.stdout)")
        #expect(plan.stdout.contains("+ maxMachines: 4"), "\(plan.stdout)")
        #expect(plan.stdout.contains("~ stopTimeout: 2s -> 5s"), "\(plan.stdout)")
        #expect(plan.stdout.contains(#"+ labels: {"team": "ml"}"#), "\(plan.stdout)")
        #expect(!plan.stdout.contains("forces replacement"), "\(plan.stdout)")
        #expect(plan.stdout.contains("Plan: 0 to provision, 0 to return, 0 to replace, 1 to update in place."), "\(plan.stdout)")

        let json = try h.json(try h.orbrec("plan", "--json").stdout)
        let updates = json["updates"] as? [[String: Any]] ?? []
        #expect(updates.first?["resource"] as? String == "Template/sleeper")
        let fields = (updates.first?["changes"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        #expect(fields == ["maxMachines", "stopTimeout", "labels"])

        let applied = try h.orbrec("apply", "--auto-approve")
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try h.runningMachines() == machines, "an update in place replaces nothing")
        let after = try h.orbrec("plan", "--detailed-exitcode")
        #expect(after.status == 0 && after.stdout.contains("No changes."), "\(after.stdout)")
    }

    @Test func userDataIsShownAsSensitiveOnly() throws {
        let h = try Harness()
        let endpoint = try Harness.motoEndpoint()
        try h.writeAWS(endpoint: endpoint, fleets: ["web": 1])
        let applied = try h.aws(["apply", "--auto-approve"])
        #expect(applied.status == 0, "\(applied.stderr)")
        defer { _ = try? h.aws(["apply", "--auto-approve", "--allow-empty"]) }

        let secret = "plan-diff-secret-7c1d"
        let path = h.config + "/aws.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: #"echo hello"#, with: "export TOKEN=\(secret)")
            .replacingOccurrences(of: "tags: {team: cfd}", with: "tags: {team: hpc}")
            .write(toFile: path, atomically: true, encoding: .utf8)

        let plan = try h.aws(["plan"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("~ userData: (sensitive) -> (sensitive)  # forces replacement"), "\(plan.stdout)")
        #expect(plan.stdout.contains(#"~ tags: {"team": "cfd"} -> {"team": "hpc"}  # forces replacement"#), "\(plan.stdout)")
        let json = try h.aws(["plan", "--json"])
        let changes = ((try h.json(json.stdout)["actions"] as? [[String: Any]])?.first?["changes"] as? [[String: Any]]) ?? []
        let userData = changes.first { $0["field"] as? String == "userData" }
        #expect(userData?["sensitive"] as? Bool == true)
        #expect(userData?["before"] as? String == "(sensitive)" && userData?["after"] as? String == "(sensitive)")
        for output in [plan.stdout, plan.stderr, json.stdout, json.stderr] {
            #expect(!output.contains(secret) && !output.contains("echo hello"), "a secret leaked: \(output)")
        }
        let replaced = try h.aws(["apply", "--auto-approve"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        let sqlite = try h.spawn("/usr/bin/sqlite3", [h.state, "SELECT fields FROM template_history"])
        sqlite.closeInput()
        let history = try sqlite.wait(timeout: 30)
        #expect(history.status == 0 && history.stdout.contains("imageId"), "\(history.stdout) \(history.stderr)")
        #expect(!history.stdout.contains(secret) && !history.stdout.contains("echo hello"), "history keeps only a digest: \(history.stdout)")
    }
}
