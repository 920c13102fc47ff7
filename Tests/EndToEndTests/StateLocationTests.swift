import Foundation
import Testing

/// Issue 16, items 1 and 2: the state follows the configuration (whatever the current
/// directory), a saved plan finds its configuration and state from anywhere, a read-only
/// command on a missing state says so, and nothing orbrec writes is read as configuration.
///
/// SQLite only: they are about where the state FILE lies by default. A URL state is where
/// the URL says, from any directory: PostgresStateEndToEndTests.
@Suite(.serialized) struct StateLocationTests {
    /// Runs the binary from `directory`, without `--state` and without `ORBREC_STATE`.
    func run(in directory: String, _ h: Harness, _ arguments: [String], stdin: String? = nil) throws -> Harness.Result {
        // `env -C` changes directory before it execs: an argv, no shell.
        let process = try h.spawn("/usr/bin/env", ["-C", directory, Harness.binary] + arguments, environment: ["ORBREC_STATE": ""])
        if let stdin { process.write(stdin) }
        process.closeInput()
        return try process.wait(timeout: 120)
    }

    @Test func theStateIsBesideTheConfigurationWhateverTheCurrentDirectory() throws {
        let h = try Harness()
        defer { h.killMachines() }
        try h.writeFleet(count: 1)
        let apply = try run(in: h.directory, h, ["apply", "-c", "cfg", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(FileManager.default.fileExists(atPath: h.config + "/.orbrec/state.db"))
        #expect(!FileManager.default.fileExists(atPath: h.directory + "/.orbrec"), "nothing in the current directory")

        // The case: from inside the configuration, the same state; nothing to do.
        let inside = try run(in: h.config, h, ["plan", "--detailed-exitcode"])
        #expect(inside.status == 0, "\(inside.stdout)\n\(inside.stderr)")
        #expect(inside.stdout.contains("No changes"), "\(inside.stdout)")
        // And from elsewhere, naming the directory absolutely.
        let elsewhere = try run(in: "/", h, ["plan", "--detailed-exitcode", "-c", h.config])
        #expect(elsewhere.status == 0, "\(elsewhere.stdout)\n\(elsewhere.stderr)")

        // One file as the configuration: its directory's state.
        let single = h.directory + "/single"
        try FileManager.default.createDirectory(atPath: single, withIntermediateDirectories: true)
        let base = try String(contentsOfFile: h.config + "/base.yaml", encoding: .utf8)
        let fleet = try String(contentsOfFile: h.config + "/workers.yaml", encoding: .utf8)
        try (base + "\n---\n" + fleet).write(toFile: single + "/all.yaml", atomically: true, encoding: .utf8)
        let fileApply = try run(in: h.directory, h, ["apply", "--auto-approve", "-c", "single/all.yaml"])
        #expect(fileApply.status == 0, "\(fileApply.stdout)\n\(fileApply.stderr)")
        #expect(FileManager.default.fileExists(atPath: single + "/.orbrec/state.db"))
        let fileAgain = try run(in: "/", h, ["plan", "--detailed-exitcode", "-c", single + "/all.yaml"])
        #expect(fileAgain.status == 0, "\(fileAgain.stdout)\n\(fileAgain.stderr)")

        let whole = try run(in: h.directory, h, ["history", "--json", "-c", "cfg"])
        let actions = try JSONSerialization.jsonObject(with: Data(whole.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(actions.map { $0["verb"] as? String } == ["provision"], "\(whole.stdout)")
    }

    @Test func aSavedPlanAppliesAsPrintedFromAnyDirectory() throws {
        let h = try Harness()
        defer { h.killMachines() }
        try h.writeFleet(count: 2)
        let plan = try run(in: h.directory, h, ["plan", "-c", "cfg", "--out", "saved.plan"])
        #expect(plan.status == 0, "\(plan.stdout)\n\(plan.stderr)")
        let saved = h.directory + "/saved.plan"
        #expect(plan.stdout.contains("orbrec apply \(saved)"), "the printed command names the plan absolutely: \(plan.stdout)")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any] ?? [:]
        #expect(document["config"] as? String == h.config)
        #expect(document["state"] as? String == h.config + "/.orbrec/state.db")

        let apply = try run(in: "/", h, ["apply", saved])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(apply.stdout.contains("Applying the saved plan"), "\(apply.stdout)")
        #expect(h.machineProcesses(stateID: try stateID(h, state: h.config + "/.orbrec/state.db")).count == 2)
        #expect(!FileManager.default.fileExists(atPath: "/.orbrec/state.db"))
    }

    @Test func aSavedPlanKeepsANamedState() throws {
        let h = try Harness()
        defer { h.killMachines() }
        try h.writeFleet(count: 1)
        let plan = try h.orbrec("plan", "--out", h.directory + "/named.plan")
        #expect(plan.status == 0, "\(plan.stderr)")
        let apply = try run(in: "/tmp", h, ["apply", h.directory + "/named.plan"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(FileManager.default.fileExists(atPath: h.state), "the state the plan was made with")
        #expect(!FileManager.default.fileExists(atPath: h.config + "/.orbrec"), "not the default beside the configuration")
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 1)
    }

    @Test func readOnlyCommandsOnAMissingStateSaySoAndCreateNothing() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        let expected = "no state at \(h.config)/.orbrec/state.db (nothing applied yet)"
        for command in [["status"], ["history"], ["lock", "status"], ["history", "--json"], ["policy", "overrides"]] {
            let result = try run(in: h.directory, h, command + ["-c", "cfg"])
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(command): \(result.stderr)")
        }
        let get = try run(in: h.directory, h, ["get", "machines", "-c", "cfg"])
        #expect(get.stdout.contains("No state at \(h.config)/.orbrec/state.db (nothing applied yet)"), "\(get.stdout)")
        let json = try run(in: h.directory, h, ["history", "--json", "-c", "cfg"])
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [Any]
        #expect(rows?.isEmpty == true, "stdout stays JSON: \(json.stdout)")
        let returning = try run(in: h.directory, h, ["machines", "return", "m-nope", "-c", "cfg"])
        #expect(returning.status == 1)
        #expect(returning.stderr.contains(expected), "\(returning.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.config + "/.orbrec"), "no state, no directory")
    }

    @Test func initKeepsTheStateOutOfGit() throws {
        let h = try Harness()
        let fresh = h.directory + "/fresh"
        #expect(try h.run(["init", fresh]).status == 0)
        #expect(try String(contentsOfFile: fresh + "/.gitignore", encoding: .utf8).split(separator: "\n").contains(".orbrec/"))

        let existing = h.directory + "/existing"
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: true)
        try "node_modules".write(toFile: existing + "/.gitignore", atomically: true, encoding: .utf8)
        #expect(try h.run(["init", existing]).status == 0)
        let lines = try String(contentsOfFile: existing + "/.gitignore", encoding: .utf8).split(separator: "\n")
        #expect(lines == ["node_modules", ".orbrec/"], "appended once, the user's lines kept: \(lines)")
        #expect(try run(in: existing, h, ["validate"]).status == 0)
    }

    /// Item 2: `--state` inside the configuration directory. The task outputs and results
    /// written there (JSON among them) are not configuration, for the CLI and for the daemon.
    @Test func whatOrbrecWritesIsNeverReadAsConfiguration() async throws {
        let h = try Harness()
        defer { h.killTasks() }
        try h.writePool(slots: 2, spec: """
            range: {from: 1, to: 4}
            command: ["sh", "-c", "echo key: [broken"]
            parallelism: 2
            """)
        let inside = h.config + "/state/state.db"
        let apply = try h.run(["apply", "--auto-approve", "--wait", "--timeout", "60s", "-c", h.config, "--state", inside])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        let written = FileManager.default.enumerator(atPath: h.config + "/state")?.compactMap { $0 as? String } ?? []
        #expect(written.contains { $0.hasSuffix(".json") }, "results are JSON, inside the configuration: \(written)")
        // A stray file there is not read either: the whole state directory is orbrec's.
        try "kind: [unclosed".write(toFile: h.config + "/state/notes.yaml", atomically: true, encoding: .utf8)

        let plan = try h.run(["plan", "--detailed-exitcode", "-c", h.config, "--state", inside])
        #expect(plan.status == 0, "\(plan.stdout)\n\(plan.stderr)")
        #expect(!plan.stderr.contains("error"), "\(plan.stderr)")
        let validate = try h.run(["validate", "-c", h.config, "--state", inside])
        #expect(validate.status == 0, "\(validate.stdout)\n\(validate.stderr)")

        // The daemon's watcher: new results under the state make no reload.
        let daemon = try h.startDaemon(["--state", inside])
        defer { _ = try? daemon.stop() }
        let before = try await reloads(daemon)
        for round in 0..<20 {
            try "{\"round\": \(round)}".write(toFile: h.config + "/state/tasks/sims/r\(round).json", atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: h.config + "/state/machines/d\(round)", withIntermediateDirectories: true)
        }
        try await Task.sleep(for: .seconds(1))
        #expect(try await reloads(daemon) == before, "writes under the state directory reload nothing")
        // A real configuration change still does.
        try h.writeScheduler("cpu", slots: 3)
        _ = try await daemon.eventually("a reload after a configuration edit") { try await reloads(daemon) > before ? true : nil }
    }

    private func reloads(_ daemon: DaemonProcess) async throws -> Int {
        let text = try await daemon.get("/metrics").body
        return text.split(separator: "\n").filter { $0.hasPrefix("orbrec_configuration_loads_total{") }
            .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0) { $0 + Int($1) }
    }

    private func stateID(_ h: Harness, state: String) throws -> String {
        let result = try h.run(["plan", "--json", "-c", h.config, "--state", state])
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return document?["state_id"] as? String ?? ""
    }
}
