import Foundation
import Glibc
import Testing

/// Issue 16, item 4: `-o table|wide|json|yaml` (and `--json`) on every command that prints
/// data, and tables aligned on a colour terminal.
@Suite struct OutputFormatTests {
    @Test func validatePrintsItsDiagnosticsAsJSONOrYAML() throws {
        let h = try Harness()
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
        #expect(!yaml.stdout.contains("{"), "block YAML, not JSON")
    }

    @Test func applyMachinesReturnAndTasksCancelPrintTheirOutcomes() throws {
        let h = try Harness()
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

    @Test func everyDataCommandTakesTheSameFlag() throws {
        let h = try Harness()
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

    @Test func tablesStayAlignedWithColourOnAndHaveNoTrailingSpaces() throws {
        let h = try Harness()
        defer { h.killMachines() }
        try h.writeFleet(count: 1)
        try h.writeFleet(count: 1, name: "a-fleet-with-a-much-longer-name")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let output = try Self.onTerminal(Harness.binary, ["status", "-c", h.config, "--state", h.state])
        #expect(output.contains("\u{1B}[32m"), "coloured on a terminal: \(output.debugDescription)")
        let plain = output.replacingOccurrences(of: #"\u{1B}\[[0-9;]*m"#, with: "", options: .regularExpression)
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
    /// colour allowed, and returns what it wrote there (CR LF as LF).
    static func onTerminal(_ program: String, _ arguments: [String]) throws -> String {
        // posix_openpt, unlockpt and ptsname as Linux does them (Glibc does not import them):
        // /dev/ptmx, then TIOCSPTLCK (0x40045431) to unlock and TIOCGPTN (0x80045430) for the number.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw POSIXError(.ENXIO) }
        defer { close(master) }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else { throw POSIXError(.ENXIO) }
        let slave = "/dev/pts/\(number)"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, slave, O_RDWR | O_NOCTTY, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = nil
        environment["TERM"] = "xterm"
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT) }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(60)
        var exited = false
        while Date() < deadline {
            var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 100) > 0 {
                let count = read(master, &buffer, buffer.count)
                if count > 0 { output.append(contentsOf: buffer[0..<count]); continue }
                if exited { break }
            }
            if !exited, waitpid(pid, &status, WNOHANG) == pid { exited = true; continue }
            if exited { break }
        }
        if !exited { kill(pid, SIGKILL); _ = waitpid(pid, &status, 0) }
        return String(decoding: output, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }
}
