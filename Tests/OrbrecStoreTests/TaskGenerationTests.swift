import Foundation
import GRDB
import OrbrecCore
import OrbrecStore
import OrbrecTestSupport
import Testing

/// `taskStatuses()` is always what `tasks()` reads, whoever changed the tasks (this store,
/// another process's store, a write that goes around orbrec). On SQLite it keeps each pool's
/// tasks between reads and reads a pool again only when its generation moved, so this checks
/// that every write path moves it; PostgreSQL keeps nothing and reads every task each time,
/// and must give the same answers.
@Suite struct TaskGenerationTests {
    func statuses(_ pool: String, _ keys: ClosedRange<Int>, state: TaskState = .pending) -> [TaskStatus] {
        keys.map { TaskStatus(pool: pool, key: "k\($0)", state: state, attemptsStarted: 0) }
    }

    func expectSame(_ store: StateStore, _ comment: Comment) async throws {
        let fresh = try await store.tasks().map(\.status)
        #expect(try await store.taskStatuses() == fresh, comment)
    }

    /// Runs `statements` on the state at `location` behind its stores' backs, as another
    /// program would: through GRDB for a file, psql for a schema.
    func writeAround(_ location: String, _ statements: [String]) async throws {
        switch try StateAddress.parse(location) {
        case .file(let path):
            let raw = try DatabaseQueue(path: path)
            try await raw.write { db in
                for statement in statements { try db.execute(sql: statement) }
            }
            try raw.close()
        case .postgres(let url):
            try TestPostgres.psql((["BEGIN", "SET LOCAL search_path TO \(url.schema)"] + statements + ["COMMIT"]).joined(separator: ";\n"))
        }
    }

    @Test(arguments: TestStateBackend.allCases)
    func theKeptTasksAreAlwaysThoseOfTheJournalWhoeverChangesThem(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let location = try stateLocation(backend, in: directory)
        let store = try await openStore(at: location)
        let other = try await openStore(at: location)  // another process's view of the same state
        let now = Instant(millisecondsSinceEpoch: 5_000)

        try await store.setTasks(statuses("alpha", 1...300) + statuses("beta", 1...5), cause: "test", at: now)
        try await expectSame(store, "first read")
        try await expectSame(store, "read again, nothing changed")

        // A change by another store (process) to one task of one pool.
        var changed = statuses("beta", 3...3, state: .completed)
        changed[0].attemptsStarted = 1
        changed[0].lastOutcome = AttemptOutcome(exitCode: 0)
        try await other.setTasks(changed, cause: "other process", at: now)
        let seen = try await store.taskStatuses()
        #expect(seen.first { $0.pool == "beta" && $0.key == "k3" }?.state == .completed, "another process's change is seen")
        #expect(seen.first { $0.pool == "beta" && $0.key == "k3" }?.lastOutcome?.exitCode == 0)
        try await expectSame(store, "after another process's change")

        // A pool that appears, and a write that goes around every method of the store.
        try await other.setTasks(statuses("gamma", 1...2), cause: "new pool", at: now)
        try await expectSame(store, "a new pool")
        try await writeAround(location, [
            "UPDATE tasks SET state = 'dead_letter' WHERE pool = 'alpha' AND key = 'k7'",
            "DELETE FROM tasks WHERE pool = 'gamma' AND key = 'k1'",
        ])
        let after = try await store.taskStatuses()
        #expect(after.first { $0.pool == "alpha" && $0.key == "k7" }?.state == .deadLetter, "a raw UPDATE moves the generation too")
        #expect(!after.contains { $0.pool == "gamma" && $0.key == "k1" }, "a DELETE too")
        try await expectSame(store, "after raw writes")
        #expect(after.count == 306)
        await store.close()
        await other.close()
    }

    /// A state made before the generations existed (v7) gets one for each pool it holds.
    /// SQLite only: PostgreSQL has no generations to upgrade to.
    @Test func aStateFromBeforeGenerationsIsGivenOneForEachPool() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("state.db")
        let store = try StateStore(path: path)
        try await store.setTasks(statuses("alpha", 1...3) + statuses("beta", 1...2), cause: "test", at: Instant(millisecondsSinceEpoch: 1))
        // Back to v7: no generations table, no triggers, no record of the v8 migration.
        let raw = try DatabaseQueue(path: path)
        try await raw.write { db in
            for trigger in ["tasks_generation_insert", "tasks_generation_update", "tasks_generation_delete"] {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            try db.execute(sql: "DROP TABLE task_generations")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v8-task-generations'")
        }
        try raw.close()
        let reopened = try StateStore(path: path)
        #expect(try await reopened.taskStatuses().count == 5)
        try await expectSame(reopened, "upgraded state")
    }
}
