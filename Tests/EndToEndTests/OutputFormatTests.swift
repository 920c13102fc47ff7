import Foundation
import Glibc
import OrbrecTestSupport
import Testing

/// Issue 16, item 4: `-o table|wide|json|yaml` (and `--json`) on every command that prints
/// data, and tables aligned on a colour terminal.
@Suite struct OutputFormatTests {
    @Test(arguments: TestStateBackend.allCases)
    func validatePrintsItsDiagnosticsAsJSONOrYAML(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 1)
        let valid = try h.orbrec("validate", "-o", "json")
        #expect(valid.status == 0, "\(valid.stderr)")
        let document = try h.json(valid.stdout)
        #expect(document["valid"] as? Bool == true)
        #expect((document["resources"] as? [String: Any])?["Fleet"] as? Int == 1, "\(document)")
        #expect(try h.json(try h.orbrec("validate", "--json").stdout)["valid"] as? Bool == true, "--json is -o json")

        try h.write("broken.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: broken}
            spec: {template: nowhere, count: 1}
            """)
        let invalid = try h.orbrec("validate", "-o", "json")
        #expect(invalid.status == 1, "an invalid configuration still exits 1")
        let report = try h.json(invalid.stdout)
        #expect(report["valid"] as? Bool == false)
        let diagnostics = try #require(report["diagnostics"] as? [[String: Any]])
        #expect(!diagnostics.isEmpty)
        #expect(diagnostics.contains { ($0["location"] as? String)?.contains("broken.yaml:") == true && ($0["code"] as? String)?.isEmpty == false },
                "\(diagnostics)")

        let yaml = try h.orbrec("validate", "-o", "yaml")
        #expect(yaml.status == 1)
        #expect(yaml.stdout.contains("valid: false") && yaml.stdout.contains("diagnostics:"), "\(yaml.stdout)")
        #expect(!yaml.stdout.hasPrefix("{"), "block YAML, not JSON")
    }

    @Test(arguments: TestStateBackend.allCases)
    func applyMachinesReturnAndTasksCancelPrintTheirOutcomes(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killMachines() }
        try h.writeFleet(count: 2)
        try h.writePool(spec: """
            items: [a, b]
            command: ["sleep", "300"]
            """)
        let refused = try h.orbrec("apply", "-o", "json")
        #expect(refused.status == 1 && refused.stderr.contains("--auto-approve"), "no prompt on a JSON stdout: \(refused.stderr)")

        let apply = try h.orbrec("apply", "--auto-approve", "-o", "json")
        #expect(apply.status == 0, "\(apply.stderr)")
        let applied = try h.json(apply.stdout)
        let actions = try #require(applied["actions"] as? [[String: Any]], "stdout is the document alone: \(apply.stdout)")
        #expect(actions.contains { $0["verb"] as? String == "provision" && $0["state"] as? String == "succeeded" }, "\(actions)")
        #expect(actions.contains { $0["verb"] as? String == "submit" && $0["resource"] as? String == "TaskPool/sims" }, "\(actions)")
        #expect(applied["failed"] as? Int == 0)
        #expect(apply.stderr.contains("Fleet/workers"), "the plan and the outcome lines went to stderr: \(apply.stderr)")

        let machine = try #require(h.runningMachines().sorted().first)
        let returned = try h.orbrec("machines", "return", machine, "-o", "json")
        #expect(returned.status == 0, "\(returned.stderr)")
        let returnActions = try #require(try h.json(returned.stdout)["actions"] as? [[String: Any]])
        #expect(returnActions.count == 1)
        #expect(returnActions.first?["verb"] as? String == "return" && returnActions.first?["succeeded"] as? Bool == true, "\(returnActions)")
        #expect((returnActions.first?["detail"] as? String)?.contains(machine) == true, "\(returnActions)")

        let cancelled = try h.orbrec("tasks", "cancel", "sims", "-o", "yaml")
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        #expect(cancelled.stdout.contains("verb: cancel") && cancelled.stdout.contains("succeeded: true"), "\(cancelled.stdout)")
        let again = try h.orbrec("tasks", "cancel", "sims", "--json")
        #expect(again.status == 0)
        #expect((try h.json(again.stdout)["actions"] as? [Any])?.isEmpty == true, "nothing left to cancel: \(again.stdout)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func everyDataCommandTakesTheSameFlag(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killMachines() }
        try h.writeFleet(count: 1)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        // --json and -o json print the same document; -o yaml the same fields.
        for command in [["status"], ["history"], ["get", "machines"], ["get", "fleets"], ["lock", "status"], ["policy", "overrides"],
                        ["workflows", "list"], ["describe", "Fleet/workers"]] {
            let json = try h.orbrec(command + ["-o", "json"])
            let alias = try h.orbrec(command + ["--json"])
            let yaml = try h.orbrec(command + ["-o", "yaml"])
            #expect(json.status == 0 && alias.status == 0 && yaml.status == 0, "\(command): \(json.stderr) \(yaml.stderr)")
            #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil, "\(command) -o json: \(json.stdout)")
            #expect(try Self.keys(json.stdout) == Self.keys(alias.stdout), "\(command): --json is -o json")
            #expect(!yaml.stdout.hasPrefix("{") && !yaml.stdout.hasPrefix("[{"), "\(command) -o yaml: \(yaml.stdout)")
            for key in try Self.keys(json.stdout) {
                #expect(yaml.stdout.contains("\(key):"), "\(command): \(key) in the YAML")
            }
        }
        let plan = try h.orbrec("plan", "-o", "yaml")
        #expect(plan.status == 0 && plan.stdout.contains("state_id:"), "\(plan.stdout)")
        let disagree = try h.orbrec("status", "--json", "-o", "yaml")
        #expect(disagree.status == 1 && disagree.stderr.contains("disagree"), "\(disagree.stderr)")
        let wide = try h.orbrec("get", "machines", "-o", "wide")
        #expect(wide.status == 0 && wide.stdout.contains("ACTION") && wide.stdout.contains("MESSAGE"), "\(wide.stdout)")
    }

    /// Top-level keys of a JSON object, or of an array's first object.
    static func keys(_ text: String) throws -> Set<String> {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        if let object = value as? [String: Any] { return Set(object.keys) }
        return Set(((value as? [[String: Any]])?.first ?? [:]).keys)
    }

    @Test(arguments: TestStateBackend.allCases)
    func tablesStayAlignedWithColourOnAndHaveNoTrailingSpaces(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killMachines() }
        try h.writeFleet(count: 1)
        try h.writeFleet(count: 1, name: "a-fleet-with-a-much-longer-name")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let output = try Self.onTerminal(Harness.binary, ["status", "-c", h.config, "--state", h.state])
        #expect(output.contains("\u{1B}[32m"), "coloured on a terminal: \(output.debugDescription)")
        let plain = output.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        let lines = plain.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let header = try #require(lines.first { $0.hasPrefix("RESOURCE") }, "\(plain)")
        let rows = lines.filter { $0.hasPrefix("Fleet/") }
        #expect(rows.count == 2, "\(plain)")
        for column in ["SYNC", "HEALTH", "MESSAGE"] {
            let start = try #require(header.range(of: column)).lowerBound.utf16Offset(in: header)
            for row in rows where row.count > start {
                let before = row.utf16.index(row.utf16.startIndex, offsetBy: start - 1)
                let at = row.utf16.index(row.utf16.startIndex, offsetBy: start)
                #expect(row[before] == " " && row[at] != " ", "\(column) starts at column \(start) in every row:\n\(plain)")
            }
        }
        for line in plain.split(separator: "\n") { #expect(!line.hasSuffix(" "), "no trailing space: \(line.debugDescription)") }
    }

    /// Runs `program` with stdout and stderr on a pseudo-terminal (as a user's shell does),
    /// colour allowed, and returns what it wrote there (CR LF as LF). Python's pty module
    /// makes the terminal (the program and its arguments are passed as argv, no shell).
    static func onTerminal(_ program: String, _ arguments: [String]) throws -> String {
        let script = """
            import os, pty, sys
            pid, fd = pty.fork()
            if pid == 0:
                os.environ["TERM"] = "xterm"
                os.environ.pop("NO_COLOR", None)
                os.execv(sys.argv[1], sys.argv[1:])
            out = b""
            while True:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                out += data
            os.waitpid(pid, 0)
            sys.stdout.buffer.write(out)
            """
        let h = try Harness()
        let result = try h.runProgram("/usr/bin/env", ["python3", "-c", script, program] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.replacingOccurrences(of: "\r\n", with: "\n")
    }
}
