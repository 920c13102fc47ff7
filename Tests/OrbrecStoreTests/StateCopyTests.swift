import Foundation
import Testing
import OrbrecCore
import OrbrecStore
import OrbrecStorePostgres
import OrbrecTestSupport

/// A state copied between backends (`orbrec state migrate`) and to a file (`state backup`):
/// the copy keeps the state id, every row of every table and the event seqs; a target that
/// already holds a state is refused and left as it was.
@Suite("State copy", .serialized)
struct StateCopyTests {
    static func at(_ milliseconds: Int64) -> Instant { Instant(millisecondsSinceEpoch: milliseconds) }

    static func open(_ location: String) async throws -> StateStore {
        try #require(try await StateStores.open(try StateAddress.parse(location), create: true))
    }

    /// A PostgreSQL location with a schema of its own, or a file in `directory`.
    static func location(_ backend: TestStateBackend, _ directory: TemporaryDirectory, name: String) throws -> String {
        backend == .sqlite ? directory.file(name) : try backend.location(in: directory.path)
    }

    /// Writes at least one row into every copied table, through the store's own operations.
    static func fill(_ store: StateStore) async throws {
        let provider = ProviderSpec(metadata: Metadata(name: "here", labels: ["tier": "dev"]), settings: .local)
        let template = TemplateSpec(metadata: Metadata(name: "worker"), provider: "here", settings: .local(LocalTemplateSettings(command: ["sleep", "30"])))
        let fleet = FleetSpec(metadata: Metadata(name: "workers"), template: "worker", count: 2)
        try await store.recordApplied(DesiredState(providers: [provider], templates: [template], fleets: [fleet], revision: "rev"),
                                      versions: [:], conditions: [:], forget: [], at: at(1_000))
        try await store.recordTemplateHistory([template], at: at(1_000))

        // Actions, requests, their machines, machines, events; a workflow step's action.
        let run = WorkflowRun(id: "wr-1", workflow: "nightly", specHash: "h1", trigger: .manual, createdAt: at(1_500),
                              steps: [WorkflowRun.Step(name: "capacity"), WorkflowRun.Step(name: "report")])
        try await store.startWorkflowRun(run, reason: "by a test", at: at(1_500))
        _ = try await store.workflowFirstSeen("nightly", orRecord: at(1_500))
        for (index, id) in ["act-b", "act-a", "act-c"].enumerated() {
            try await store.recordIntent([Self.action(id, at: 2_000)], causedBy: id == "act-a" ? ["act-a": (run: "wr-1", step: "capacity")] : [:])
            let request = "req-\(index)"
            let machines = ["m-\(index)-1", "m-\(index)-2"]
            let record = RequestRecord(id: request, kind: .provision, status: .inProgress, resource: ResourceID(.fleet, "workers"),
                                       actionId: id, message: "2 × worker", createdAt: at(2_000), updatedAt: at(2_000))
            try await store.markIssuing(
                actionID: id,
                requests: [RequestIntent(request: record, machines: machines.map { RequestMachineRecord(requestId: request, machineId: $0, state: .pending) })],
                newMachines: machines.map {
                    MachineRecord(id: $0, fleet: "workers", template: "worker", templateHash: "hash-1", provider: "here", providerId: nil,
                                  actionId: id, requestId: request, state: .pending, message: "requested", createdAt: at(2_000), updatedAt: at(2_000))
                },
                returningMachines: [], at: at(2_100))
        }
        try await store.recordEvent(resource: "daemon", subject: "config", from: nil, to: "valid", cause: "a test with ünïcode", at: at(2_200))

        // A machine request (with its key, one withdrawn) and a return request naming one of its machines.
        _ = try await store.recordDemand(MachineDemand(id: "req-d1", template: "worker", requested: 2, replaceLost: false, actor: "tester@host",
                                                       createdAt: at(2_300)), idempotencyKey: "hf-1", at: at(2_300))
        _ = try await store.recordDemand(MachineDemand(id: "req-d2", template: "worker", requested: 1, actor: "tester@host",
                                                       createdAt: at(2_310)), at: at(2_310))
        try await store.closeDemands(ids: ["req-d2"], at: at(2_320))
        try await store.recordReturn(id: "ret-d1", machines: ["m-0-1"], actor: "tester@host", at: at(2_400))

        // Tasks and their attempts; leases; an idempotent answer (a blob).
        try await store.recordIntent([Self.action("act-t", at: 3_000)])
        try await store.markSubmitting(actionID: "act-t", scheduler: "cpu", pool: "sims",
                                       attempts: [TaskAttemptRef(key: "1", attempt: 1), TaskAttemptRef(key: "2", attempt: 1)], at: at(3_000))
        try await store.offerLeases(pool: "pulled", attempts: [(key: "a", attempt: 1), (key: "b", attempt: 1)], at: at(3_100))
        _ = try await store.claimLease(pool: "pulled", worker: "w1", machine: "m-0-1", lease: .seconds(60), token: "tok-1", at: at(3_200))
        _ = try await store.reserveIdempotencyKey("idem-1", fingerprint: "fp", at: at(3_300))
        try await store.recordIdempotentAnswer(key: "idem-1", status: 201, body: Data([0, 1, 2, 0xff, 0x7b]))

        // Tasks posted to an api pool: one with an Idempotency-Key, one asked to be cancelled.
        _ = try await store.recordAPITask(APITask(pool: "jobs", key: "k 1", args: ["seed": "1", "note": "ünïcode; $(id)"], actor: "api@127.0.0.1",
                                                  createdAt: at(3_400)), idempotencyKey: "post-1", at: at(3_400))
        _ = try await store.recordAPITask(APITask(pool: "jobs", key: "k2", args: [:], actor: "api@127.0.0.1", createdAt: at(3_410)),
                                          idempotencyKey: nil, at: at(3_410))
        _ = try await store.requestAPITaskCancel(pool: "jobs", key: "k2", actor: "api@127.0.0.1", at: at(3_420))
    }

    static func action(_ id: String, at time: Int64) -> ActionRecord {
        ActionRecord(id: id, idempotencyKey: "key-\(id)", verb: .provision, resource: ResourceID(.fleet, "workers"), reason: .scaleUp,
                     detail: "test action \(id)", state: .planned, requestId: nil, payload: "{\"n\":1}", configRevision: "rev-1",
                     actor: "tester@host", createdAt: at(time), updatedAt: at(time))
    }

    /// A table's rows as a set of column → value maps over `columns`, for comparing backends
    /// that order some tables differently.
    static func rows(_ table: StateTable?, columns: Set<String>) -> Set<[String: StateValue]> {
        guard let table else { return [] }
        return Set(table.rows.map { row in
            Dictionary(uniqueKeysWithValues: zip(table.columns, row.values).filter { columns.contains($0.0) })
        })
    }

    static func table(_ tables: [StateTable], _ name: String) -> StateTable? { tables.first { $0.name == name } }

    /// Every copied table of `copy` holds the rows of `original`, over the columns both have.
    static func expectSameRows(_ copy: [StateTable], _ original: [StateTable], _ what: String) {
        #expect(Set(copy.map(\.name)) == Set(StateTables.names), "\(what): every table")
        for name in StateTables.names {
            let first = table(original, name), second = table(copy, name)
            let shared = Set(first?.columns ?? []).intersection(second?.columns ?? [])
            #expect(shared.count >= 2, "\(what): \(name) has columns")
            #expect(rows(second, columns: shared) == rows(first, columns: shared), "\(what): the rows of \(name)")
        }
    }

    // MARK: Round trip

    @Test func aRoundTripThroughPostgresKeepsTheStateIDEveryRowAndTheEventSeqs() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await Self.open(directory.file("source.db"))
        try await Self.fill(source)
        let exported = try await source.exportState()
        for name in StateTables.names {
            #expect(!(Self.table(exported, name)?.rows.isEmpty ?? true), "the test fills \(name)")
        }

        let url = try TestStateBackend.postgres.location(in: directory.path)
        let postgres = try await Self.open(url)
        #expect(postgres.stateID != source.stateID, "a new schema has an id of its own, until the copy")
        let copied = try await source.copy(into: postgres)
        #expect(copied == exported, "the copy reports what it exported")
        await postgres.close()

        let reopened = try await Self.open(url)
        #expect(reopened.stateID == source.stateID, "the copy keeps the state id")
        let inPostgres = try await reopened.exportState()
        Self.expectSameRows(inPostgres, exported, "in PostgreSQL")
        #expect(try await reopened.events().map(\.seq) == source.events().map(\.seq), "event seqs")
        #expect(try await reopened.actions().map(\.id) == source.actions().map(\.id), "actions in the same order (created at, then insertion)")
        #expect(Self.table(inPostgres, "task_generations") == nil && Self.table(inPostgres, "locks") == nil)

        let back = try await Self.open(directory.file("back.db"))
        _ = try await reopened.copy(into: back)
        let returned = try await Self.open(directory.file("back.db"))
        #expect(returned.stateID == source.stateID)
        let inSQLite = try await returned.exportState()
        Self.expectSameRows(inSQLite, exported, "back in SQLite")
        for name in StateTables.names {
            #expect(Self.table(inSQLite, name)?.columns == Self.table(exported, name)?.columns, "\(name): SQLite's columns, no PostgreSQL seq")
        }
        for name in ["actions", "events", "workflow_runs"] {
            #expect(Self.table(inSQLite, name)?.rows == Self.table(exported, name)?.rows, "\(name) in insertion order")
        }
        #expect(try await returned.events().map(\.seq) == source.events().map(\.seq))
        #expect(try await returned.taskStatuses().count == 2, "the task cache follows the imported tasks")
        #expect(try await returned.idempotentAnswer(key: "idem-1")?.body == Data([0, 1, 2, 0xff, 0x7b]), "a blob survives both ways")
        await reopened.close()
    }

    /// After a copy into PostgreSQL the identities continue after the copied seqs: the next
    /// event follows the last one copied, a new action sorts as the newest.
    @Test func aCopyIntoPostgresGoesOnNumberingAfterTheCopiedRows() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await Self.open(directory.file("source.db"))
        try await Self.fill(source)
        let last = try await source.lastEventSeq()
        let first = try await Self.open(try TestStateBackend.postgres.location(in: directory.path))
        _ = try await source.copy(into: first)
        let url = try TestStateBackend.postgres.location(in: directory.path)
        let second = try await Self.open(url)
        _ = try await first.copy(into: second)
        await first.close()
        await second.close()

        let copy = try await Self.open(url)
        #expect(try await copy.lastEventSeq() == last, "PostgreSQL to PostgreSQL keeps the seqs")
        let next = try await copy.recordEvent(resource: "daemon", subject: "config", from: "valid", to: "invalid", cause: "after", at: Self.at(9_000))
        #expect(next == last + 1)
        try await copy.recordIntent([Self.action("act-z", at: 3_000)])
        #expect(try await copy.actions().first?.id == "act-z", "a new action of the newest copied one's time sorts before it")
        await copy.close()
    }

    // MARK: Refusals

    @Test(arguments: TestStateBackend.allCases)
    func aTargetThatHoldsAStateIsRefusedAndLeftAsItWas(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await Self.open(directory.file("source.db"))
        try await Self.fill(source)
        let location = try Self.location(backend, directory, name: "target.db")
        let target = try await Self.open(location)
        try await target.recordIntent([Self.action("act-own", at: 5_000)])
        let before = try await target.exportState()

        await #expect(throws: StateCopyRefused.self) { try await source.copy(into: target) }
        #expect(try await target.exportState() == before, "nothing written")
        await target.close()
        let reopened = try await Self.open(location)
        #expect(reopened.stateID == target.stateID, "the target keeps its own id")
        await reopened.close()
    }

    /// A workflow's first sighting is a row of `meta` besides the state id: a target holding it is not empty.
    @Test func aTargetWithMoreThanItsIDInMetaIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await Self.open(directory.file("source.db"))
        try await Self.fill(source)
        let target = try await Self.open(directory.file("target.db"))
        _ = try await target.workflowFirstSeen("nightly", orRecord: Self.at(1_000))
        do {
            _ = try await source.copy(into: target)
            Issue.record("a target with a workflow's first sighting was written over")
        } catch let refused as StateCopyRefused {
            #expect(refused.description.contains("meta"), "\(refused)")
        }
    }

    // MARK: Backups

    @Test(arguments: TestStateBackend.allCases)
    func aBackupIsAStateFileWithEveryRowAndNoLock(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await Self.open(try Self.location(backend, directory, name: "source.db"))
        try await Self.fill(source)
        let lock = LockRecord(id: "lock-test", operation: "apply", who: "tester@host", host: "elsewhere", pid: 1, processStart: "1",
                              createdAt: Self.at(4_000), ttl: .seconds(30))
        #expect(try await source.tryLock(lock, isStale: { _ in false }) == nil)
        let file = directory.file("backup.db")
        try await source.backup(toFile: file)

        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "private, as a state file is")
        let copy = try #require(try StateStore.openExisting(path: file))
        #expect(copy.stateID == source.stateID)
        Self.expectSameRows(try await copy.exportState(), try await source.exportState(), "the backup")
        #expect(try await copy.currentLock() == nil, "the source's lock holder does not hold the copy")
        #expect(try await copy.events().map(\.seq) == source.events().map(\.seq))

        await #expect(throws: StateCopyRefused.self) { try await source.backup(toFile: file) }
        try await source.unlock(id: lock.id)
        await source.close()
    }
}
