import Foundation
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

    @Test func aStoppedPassStartsNothingAndRecordsNothing() async throws {
        let pass = try await reconciler.applyPass(desired: desired(),
                                                  options: ApplyPassOptions(allowEmpty: false, parallelism: 1, shouldStop: { true })) { $0.scheduled }
        #expect(pass.stopped)
        #expect(pass.report == nil)
        #expect(provider.held.isEmpty, "a stopped pass starts no action")
        // Journaled before the stop was seen: the caller cancels what is still planned.
        #expect(try await store.actions().allSatisfy { $0.state == .planned })
        #expect(try await store.resources().isEmpty)
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
