import Foundation
import Synchronization
import OrbrecCore
import OrbrecEngine
import OrbrecStore
import OrbrecTestSupport
import Testing

/// `Reconciler.applyPass`, the one pass `orbrec apply`, `orbrec destroy` and the daemon run:
/// what the caller chooses is all that is carried out, the state it leaves is what is recorded,
/// a stop records nothing, and a targeted pass still records the status of everything.
@Suite struct ApplyPassTests {
    let provider = FakeProvider(name: "here")
    let store: StateStore
    let reconciler: Reconciler

    init() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-pass-\(UUID().uuidString)/state.db").path
        store = try StateStore(path: path)
        let provider = self.provider
        reconciler = Reconciler(store: store, providerFactory: { _ in provider }, clock: ManualClock(), actor: "test@host")
    }

    /// Two fleets: `a` of 2 machines, `b` of 1.
    func desired() -> DesiredState {
        Fixtures.desired(fleets: [Fixtures.fleet("a", count: 2), Fixtures.fleet("b", count: 1)])
    }

    @Test func onlyWhatTheCallerChoseIsCarriedOutAndTheStateItLeftIsRecorded() async throws {
        let desired = desired()
        let pass = try await reconciler.applyPass(desired: desired, options: ApplyPassOptions(allowEmpty: false, parallelism: 4)) { planned in
            #expect(Set(planned.scheduled.map(\.action.resource.name)) == ["a", "b"])
            return planned.scheduled.filter { $0.action.resource.name == "a" }
        }
        #expect(!pass.stopped)
        #expect(pass.carriedOut.map(\.action.resource.name) == ["a"])
        #expect(pass.outcomes.count == 1 && pass.failed.isEmpty)
        #expect(provider.held.count == 2, "only fleet a's machines were provisioned")
        #expect(try await store.actions().map(\.resource) == [ResourceID(.fleet, "a")], "nothing of b was journaled")
        // What is left is b: the settled plan and the recorded status say so, as `status` does.
        #expect(pass.settled.plan.actions.map(\.resource) == [ResourceID(.fleet, "b")])
        let report = try #require(pass.report)
        let status = try await reconciler.status(of: desired)
        #expect(report.rows == status.report.rows)
        #expect(report.rows.first { $0.id == ResourceID(.fleet, "a") }?.sync == .synced)
        #expect(report.rows.first { $0.id == ResourceID(.fleet, "b") }?.sync != .synced)
        let conditions = Dictionary(uniqueKeysWithValues: try await store.resources().map { ($0.id, $0.conditions) })
        #expect(conditions[ResourceID(.fleet, "b")]?.first { $0.type == "Synced" }?.status == "False")
        #expect(conditions[ResourceID(.fleet, "a")]?.first { $0.type == "Synced" }?.status == "True")
    }

    @Test func aCallerThatRefusesCarriesOutAndRecordsNothing() async throws {
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await reconciler.applyPass(desired: desired(), options: ApplyPassOptions(allowEmpty: false, parallelism: 4)) { _ in
                throw Refused()
            }
        }
        #expect(provider.held.isEmpty)
        #expect(try await store.actions().isEmpty)
        #expect(try await store.resources().isEmpty, "the configuration was not recorded as applied")
    }

    @Test func aPassStoppedBeforeItsFirstActionStartsNothingAndRecordsNothing() async throws {
        let options = ApplyPassOptions(allowEmpty: false, parallelism: 1, shouldStop: { true }, stopReason: "told to stop")
        let pass = try await reconciler.applyPass(desired: desired(), options: options) { $0.scheduled }
        #expect(pass.stopped)
        #expect(pass.report == nil)
        #expect(provider.held.isEmpty, "a stopped pass starts no action")
        // Journaled before the stop was seen, then cancelled: nothing is left planned for a later recovery.
        let actions = try await store.actions()
        #expect(actions.count == 2 && actions.allSatisfy { $0.state == .cancelled && $0.error == "told to stop" }, "\(actions)")
        #expect(try await store.resources().isEmpty)
    }

    @Test func aPassStoppedMidWayCancelsWhatItDidNotStartAndRecordsWhatItDid() async throws {
        let stop = Mutex(false)
        let options = ApplyPassOptions(allowEmpty: false, parallelism: 1, shouldStop: { stop.withLock { $0 } }, stopReason: "told to stop")
        let pass = try await reconciler.applyPass(desired: desired(), options: options, progress: { event in
            if case .finished = event { stop.withLock { $0 = true } }
        }) { $0.scheduled }
        #expect(pass.stopped)
        #expect(pass.outcomes.count == 1)
        let done = try #require(pass.outcomes.first?.action.resource)
        let actions = try await store.actions()
        #expect(actions.first { $0.resource == done }?.state == .succeeded)
        #expect(actions.first { $0.resource != done }?.state == .cancelled)
        // What it did is recorded, as a finished pass records it.
        let report = try #require(pass.report)
        #expect(report.rows.first { $0.id == done }?.sync == .synced)
        #expect(try await store.resources().contains { $0.id == done })
    }

    @Test func theSnapshotIsHeardOfBeforeThePlanEvenWhenNoPlanCanBeMade() async throws {
        // An empty configuration over a state that holds machines is refused without allowEmpty
        // (`empty-configuration`).
        _ = try await reconciler.applyPass(desired: desired(), options: ApplyPassOptions(allowEmpty: false, parallelism: 4)) { $0.scheduled }
        #expect(provider.held.count == 3)
        let heard = Mutex(false)
        await #expect(throws: PlanFailure.self) {
            _ = try await reconciler.applyPass(desired: DesiredState(), options: ApplyPassOptions(allowEmpty: false, parallelism: 1),
                                               observed: { _ in heard.withLock { $0 = true } }) { $0.scheduled }
        }
        #expect(heard.withLock { $0 })
    }

    @Test func aTargetedPassRecordsTheStatusOfEverything() async throws {
        let desired = desired()
        let options = ApplyPassOptions(allowEmpty: false, surgery: PlanSurgery(targets: [ResourceID(.fleet, "b")]), parallelism: 4)
        let pass = try await reconciler.applyPass(desired: desired, options: options) { planned in
            #expect(planned.scheduled.map(\.action.resource) == [ResourceID(.fleet, "b")], "the plan is the target's")
            return planned.scheduled
        }
        #expect(provider.held.count == 1)
        // The plan left behind is made without the target: fleet a is still to do.
        #expect(pass.settled.plan.actions.map(\.resource) == [ResourceID(.fleet, "a")])
        let report = try #require(pass.report)
        #expect(report.rows.first { $0.id == ResourceID(.fleet, "a") }?.sync != .synced)

        // The same with nothing to carry out: a targeted pass that chooses nothing records a as unsynced too.
        let again = try await reconciler.applyPass(desired: desired, options: options) { _ in [] }
        #expect(again.outcomes.isEmpty)
        #expect(again.settled.plan.actions.map(\.resource) == [ResourceID(.fleet, "a")])
        #expect(try #require(again.report).rows.first { $0.id == ResourceID(.fleet, "a") }?.sync != .synced)
    }

    @Test func aPassRecordsNothingWhenAskedNot() async throws {
        let options = ApplyPassOptions(allowEmpty: false, parallelism: 4, recordsApplied: false)
        let pass = try await reconciler.applyPass(desired: desired(), options: options) { $0.scheduled }
        #expect(pass.report == nil)
        #expect(provider.held.count == 3)
        #expect(try await store.resources().isEmpty)
    }
}
