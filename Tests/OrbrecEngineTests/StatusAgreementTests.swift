import Foundation
import OrbrecCore
import OrbrecEngine
import OrbrecStore
import OrbrecTestSupport
import Testing

/// `status` and the conditions the journal records come from one builder: for the same world
/// they say the same of every resource. They once did not: the journal recorded an unreachable
/// scheduler as Ready while `status` showed it Degraded.
@Suite struct StatusAgreementTests {
    /// A scheduler that cannot be reached: every look fails, as a down cluster's would.
    struct UnreachableScheduler: Scheduler {
        var name: String { "cluster" }

        func attempts(ownedBy owner: String) async throws -> [ObservedAttempt] {
            throw ProviderError(code: "unreachable", message: "slurmctld is not answering", retryable: true)
        }

        func submit(_ order: SubmitOrder) async -> [AttemptOutcomeReport] { [] }

        func cancel(_ attempts: [ObservedAttempt]) async -> [AttemptOutcomeReport] { [] }
    }

    let store: StateStore
    let reconciler: Reconciler

    init() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-status-\(UUID().uuidString)/state.db").path
        store = try StateStore(path: path)
        reconciler = Reconciler(store: store, providerFactory: { _ in nil }, schedulerFactory: { _ in UnreachableScheduler() },
                                clock: ManualClock(), actor: "test@host")
    }

    func desired() throws -> DesiredState {
        DesiredState(
            schedulers: [SchedulerSpec(metadata: Metadata(name: "cluster"), type: .slurm)],
            pools: [TaskPoolSpec(metadata: Metadata(name: "sims"), scheduler: "cluster", command: [try CommandTemplate(parsing: "${item}")],
                                 source: .items(["a"]))])
    }

    @Test func theJournalAndStatusAgreeOnAnUnreachableScheduler() async throws {
        let desired = try desired()
        // What a pass records.
        let snapshot = try await reconciler.snapshot(of: desired, sync: true)
        let recorded = try await reconciler.recordApplied(snapshot, plan: try reconciler.plan(snapshot, allowEmpty: false).plan)
        // What `status` (the CLI, the API and MCP) shows.
        let status = try await reconciler.status(of: desired)

        let scheduler = try #require(status.report.rows.first { $0.id == ResourceID(.scheduler, "cluster") })
        #expect(scheduler.health == .degraded)
        #expect(scheduler.message.contains("slurmctld is not answering"))
        #expect(recorded.rows == status.report.rows)

        let journal = Dictionary(uniqueKeysWithValues: try await store.resources().map { ($0.id, $0.conditions) })
        for row in status.report.rows {
            let conditions = try #require(journal[row.id], "\(row.id) has no conditions in the journal")
            let ready = try #require(conditions.first { $0.type == "Ready" })
            let synced = try #require(conditions.first { $0.type == "Synced" })
            #expect(ready.reason == row.health.rawValue, "\(row.id): the journal says \(ready.reason), status \(row.health.rawValue)")
            #expect(ready.status == (row.health == .healthy ? "True" : "False"), "\(row.id)")
            #expect(synced.reason == row.sync.rawValue, "\(row.id)")
            #expect(ready.message == row.message, "\(row.id)")
        }

        // A follower does not ask the scheduler: it shows what the journal recorded.
        let follower = Reconciler(store: store, providerFactory: { _ in nil }, schedulerFactory: { _ in FakeScheduler(name: "cluster") },
                                  clock: ManualClock(), actor: "follower@host")
        let followed = try await follower.status(of: desired, refresh: false)
        #expect(followed.report.rows.first { $0.id == scheduler.id } == scheduler)
    }
}
