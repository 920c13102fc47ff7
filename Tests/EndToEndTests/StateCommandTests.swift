import Foundation
import OrbrecTestSupport
import Testing

/// `orbrec state show | migrate | backup` with the built binary: a state file moved into
/// PostgreSQL keeps its id, its rows and its event seqs, so its machines are still its own
/// and a converged configuration plans nothing there; a backup restores the same state.
/// Needs the server scripts/test.sh starts (`ORBREC_TEST_POSTGRES`).
@Suite("state commands", .serialized)
struct StateCommandTests {
    /// Runs orbrec on `state` (a URL or another file) with the harness's configuration; task
    /// outputs and machine logs where the harness's own state keeps them.
    static func orbrec(_ h: Harness, state: String, _ arguments: String...) throws -> Harness.Result {
        try h.run(arguments + ["-c", h.config, "--state", state], environment: ["ORBREC_DATA_DIR": h.directory + "/state"])
    }

    static func json(_ result: Harness.Result) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
    }

    static func machineIDs(_ result: Harness.Result) -> Set<String> {
        let rows = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [[String: Any]] ?? []
        return Set(rows.compactMap { $0["id"] as? String })
    }

    /// What `state show -o json` reports that a copy must keep.
    static func summary(_ document: [String: Any]) -> [String: String] {
        var kept: [String: String] = [:]
        for key in ["state_id", "events", "last_event_seq", "actions", "workflow_runs"] { kept[key] = document[key].map { "\($0)" } }
        for key in ["machines", "tasks"] {
            kept[key] = (document[key] as? [String: Any] ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
        }
        return kept
    }

    @Test func aFileStateMovesIntoPostgresAndABackupOfItComesBack() throws {
        let h = try Harness()
        defer { h.killTasks() }
        try h.writeFleet(count: 2)
        try h.writePool(spec: """
            range: {from: 1, to: 3}
            command: ["sh", "-c", "echo task ${item}"]
            """)
        let applied = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        let stateID = try h.stateID()
        let fileShow = try h.orbrec("state", "show", "-o", "json")
        #expect(fileShow.status == 0, "\(fileShow.stderr)")
        let before = Self.json(fileShow)
        #expect(before["backend"] as? String == "sqlite" && before["state_id"] as? String == stateID, "\(fileShow.stdout)")
        let machines = Self.machineIDs(try h.orbrec("get", "machines", "-o", "json"))
        #expect(machines.count == 2)

        let url = try TestStateBackend.postgres.location(in: h.directory)
        let migrated = try h.orbrec("state", "migrate", "--to", url)
        #expect(migrated.status == 0, "\(migrated.stdout)\(migrated.stderr)")
        #expect(migrated.stdout.contains("Copied state \(stateID)"), "\(migrated.stdout)")
        #expect(migrated.stdout.contains("events"), "rows per table: \(migrated.stdout)")

        // The machines are still this state's (their owner tag is its id): nothing to do.
        let plan = try Self.orbrec(h, state: url, "plan", "--detailed-exitcode")
        #expect(plan.status == 0, "a converged state plans nothing after the move: \(plan.stdout)\(plan.stderr)")
        #expect(Self.machineIDs(try Self.orbrec(h, state: url, "get", "machines", "-o", "json")) == machines)
        let postgresShow = try Self.orbrec(h, state: url, "state", "show", "-o", "json")
        #expect(postgresShow.status == 0, "\(postgresShow.stderr)")
        let after = Self.json(postgresShow)
        #expect(after["backend"] as? String == "postgres")
        #expect(Self.summary(after) == Self.summary(before), "the same state id, counts and last event seq")
        let text = try Self.orbrec(h, state: url, "state", "show")
        #expect(text.stdout.contains("State:") && text.stdout.contains(stateID) && text.stdout.contains("Leader:"), "\(text.stdout)")

        // A backup of the PostgreSQL state is a state file with the same id, which restores.
        let backup = h.directory + "/backup.db"
        let backedUp = try Self.orbrec(h, state: url, "state", "backup", backup)
        #expect(backedUp.status == 0, "\(backedUp.stdout)\(backedUp.stderr)")
        #expect(Self.summary(Self.json(try Self.orbrec(h, state: backup, "state", "show", "-o", "json"))) == Self.summary(before))
        let again = try Self.orbrec(h, state: url, "state", "backup", backup)
        #expect(again.status == 1 && again.stderr.contains("already exists"), "a backup never writes over a file: \(again.stderr)")
        let restored = try TestStateBackend.postgres.location(in: h.directory)
        let restore = try Self.orbrec(h, state: backup, "state", "migrate", "--to", restored)
        #expect(restore.status == 0, "\(restore.stdout)\(restore.stderr)")
        let restoredPlan = try Self.orbrec(h, state: restored, "plan", "--detailed-exitcode")
        #expect(restoredPlan.status == 0, "\(restoredPlan.stdout)\(restoredPlan.stderr)")
        #expect(Self.summary(Self.json(try Self.orbrec(h, state: restored, "state", "show", "-o", "json"))) == Self.summary(before))
    }

    @Test func aTargetThatHoldsAStateIsRefusedAndKeepsWhatItHad() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let url = try TestStateBackend.postgres.location(in: h.directory)
        #expect(try h.orbrec("state", "migrate", "--to", url).status == 0)
        let other = h.directory + "/other.db"
        #expect(try h.orbrec("state", "migrate", "--to", other).status == 0, "SQLite to SQLite")

        // The target now holds a state: after another apply, a second copy is refused.
        try h.writeFleet(count: 2)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        for target in [url, other] {
            let shown = try Self.orbrec(h, state: target, "state", "show", "-o", "json")
            let refused = try h.orbrec("state", "migrate", "--to", target)
            #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains("already holds a state") && refused.stderr.contains("nothing was written"), "\(refused.stderr)")
            #expect(!refused.stdout.contains("Copied"), "\(refused.stdout)")
            #expect(try Self.orbrec(h, state: target, "state", "show", "-o", "json").stdout == shown.stdout, "\(target) is as it was")
        }
        let itself = try h.orbrec("state", "migrate", "--to", h.state)
        #expect(itself.status == 1 && itself.stderr.contains("names the state itself"), "\(itself.stderr)")
    }

    /// The copy is made holding the source's lock: it waits for a holder (exit 5 after
    /// --lock-timeout, no target made), and gives the lock back; the copy holds no lock.
    @Test func migrateWaitsForTheStateLockAndGivesItBack() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        try h.writeFleet(count: 2)
        // An apply waiting at its confirmation prompt holds the lock.
        let holder = try h.startOrbrec("apply")
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !(try h.orbrec("lock", "status").stdout.contains("Operation: apply")) { usleep(50_000) }
        let target = h.directory + "/copy.db"
        let waited = try h.orbrec("state", "migrate", "--to", target, "--lock-timeout", "1s")
        #expect(waited.status == 5, "\(waited.stdout)\(waited.stderr)")
        #expect(waited.stderr.contains("the state is locked by"), "\(waited.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target), "no target is made while the lock is held by another")
        holder.write("no\n")
        holder.closeInput()
        _ = try holder.wait(timeout: 60)

        let migrated = try h.orbrec("state", "migrate", "--to", target)
        #expect(migrated.status == 0, "\(migrated.stdout)\(migrated.stderr)")
        #expect(try h.json(try h.orbrec("lock", "status", "--json").stdout)["lock"] is NSNull, "the lock is given back")
        let copied = Self.json(try Self.orbrec(h, state: target, "state", "show", "-o", "json"))
        #expect(copied["lock"] is NSNull, "the copy holds no lock: \(copied)")
    }

    @Test func showWithoutAStateSaysSoAndCreatesNothing() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        let text = try h.orbrec("state", "show")
        #expect(text.status == 0 && text.stdout.contains("No state at"), "\(text.stdout)\(text.stderr)")
        let json = try h.orbrec("state", "show", "-o", "json")
        #expect(json.status == 0 && json.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "null", "\(json.stdout)")
        #expect(json.stderr.contains("no state at"), "\(json.stderr)")
        let migrate = try h.orbrec("state", "migrate", "--to", h.directory + "/copy.db")
        #expect(migrate.status == 1 && migrate.stderr.contains("no state at"), "\(migrate.stderr)")
        let backup = try h.orbrec("state", "backup", h.directory + "/backup.db")
        #expect(backup.status == 1, "\(backup.stderr)")
        for path in [h.state, h.directory + "/copy.db", h.directory + "/backup.db"] {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) was not created")
        }
    }
}
