import Foundation
import OrbrecCore
import OrbrecEngine
import OrbrecStore
import OrbrecTestSupport
import Testing

/// The engine against the provider port, with a fake provider and a real SQLite file.
@Suite struct ReconcilerTests {
    let provider = FakeProvider(name: "here")
    let store: StateStore
    let reconciler: Reconciler

    init() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-engine-\(UUID().uuidString)/state.db").path
        store = try StateStore(path: path)
        let provider = self.provider
        reconciler = Reconciler(store: store, providerFactory: { _ in provider }, clock: ManualClock(), actor: "test@host")
    }

    func desired(count: Int) -> DesiredState { Fixtures.desired(fleets: [Fixtures.fleet(count: count)]) }

    /// One apply: observe (and record), plan, execute.
    @discardableResult
    func applyOnce(_ desired: DesiredState) async throws -> (PlanResult, [ActionOutcome]) {
        let snapshot = try await reconciler.snapshot(of: desired, sync: true)
        let result = try reconciler.plan(snapshot, allowEmpty: false)
        let outcomes = try await reconciler.execute(result.scheduled, snapshot: snapshot, parallelism: 4)
        return (result, outcomes)
    }

    @Test func applyingAPlanJournalsIntentAndOutcome() async throws {
        let (result, outcomes) = try await applyOnce(desired(count: 3))
        #expect(result.plan.actions.map(\.verb) == [.provision])
        #expect(outcomes.allSatisfy { $0.succeeded })
        #expect(provider.held.count == 3)
        let action = try #require(try await store.actions().first)
        #expect(action.state == .succeeded)
        #expect(action.actor == "test@host")
        let (request, machines) = try #require(try await store.request(id: action.requestId ?? ""))
        #expect(request.status == .complete)
        #expect(request.id.hasPrefix("req-"))
        #expect(machines.count == 3)
        let transitions = try await store.events().filter { $0.subject == "action/\(action.id)" }.map(\.toState)
        #expect(transitions == ["planned", "issuing", "succeeded"])
        let (again, _) = try await applyOnce(desired(count: 3))
        #expect(again.plan.isEmpty, "a converged world plans nothing")
    }

    @Test func aPartialProvisioningFailureIsRecordedAndMadeUpNextPass() async throws {
        provider.failNextProvisions(1)
        let (_, outcomes) = try await applyOnce(desired(count: 3))
        #expect(outcomes.first?.succeeded == false)
        #expect(outcomes.first?.message.contains("no capacity") == true)
        let request = try #require(try await store.requests().first)
        #expect(request.status == .partial)
        #expect(try await store.activeMachines().count == 2)
        let (second, _) = try await applyOnce(desired(count: 3))
        #expect(second.plan.actions.map(\.count) == [1])
        #expect(provider.held.count == 3)
    }

    @Test func anInterruptedProvisionIsRecoveredByTagsNotRepeated() async throws {
        // A previous run journaled a request for three machines and was killed after the
        // provider made one of them.
        let now = ManualClock().now()
        let template = Fixtures.template()
        let ids = ["workers-aaaaa", "workers-bbbbb", "workers-ccccc"]
        try await store.recordIntent([ActionRecord(
            id: "act-crashed", idempotencyKey: "act-crashed", verb: .provision, resource: ResourceID(.fleet, "workers"),
            reason: .scaleUp, detail: "3 × worker", state: .planned, requestId: nil, payload: "{}", configRevision: "r",
            actor: "test", createdAt: now, updatedAt: now)])
        let request = RequestRecord(id: "req-crashed", kind: .provision, status: .inProgress, resource: ResourceID(.fleet, "workers"),
                                    actionId: "act-crashed", message: "", createdAt: now, updatedAt: now)
        try await store.markIssuing(
            actionID: "act-crashed",
            requests: [RequestIntent(request: request, machines: ids.map { RequestMachineRecord(requestId: "req-crashed", machineId: $0, state: .pending) })],
            newMachines: ids.map {
                MachineRecord(id: $0, fleet: "workers", template: "worker", templateHash: template.specHash, provider: "here",
                                    providerId: nil, actionId: "act-crashed", requestId: "req-crashed", state: .pending, createdAt: now, updatedAt: now)
            },
            returningMachines: [], at: now)
        _ = await provider.provision(ProvisionOrder(requestID: "req-crashed", actionID: "act-crashed", owner: store.stateID, fleet: "workers",
                                                    template: template, templateHash: template.specHash, machineIDs: [ids[0]]))

        let lines = try await reconciler.recoverInterrupted(desired: desired(count: 3))
        #expect(lines.count == 1)
        #expect(try await store.interruptedActions().isEmpty)
        #expect(try await store.action(id: "act-crashed")?.state == .failed)
        #expect(try await store.request(id: "req-crashed")?.0.status == .partial)
        #expect(try await store.activeMachines().map(\.id) == [ids[0]])
        let (result, _) = try await applyOnce(desired(count: 3))
        #expect(result.plan.actions.map(\.count) == [2], "only the two that were never made")
        #expect(provider.held.count == 3)
        #expect(provider.callLog == ["provision 1", "provision 2"])
    }

    @Test func aLostMachineIsReplacedAndItsRecordClosed() async throws {
        try await applyOnce(desired(count: 2))
        let victim = try #require(provider.held.first?.id)
        provider.lose(victim)
        let (result, outcomes) = try await applyOnce(desired(count: 2))
        #expect(result.plan.actions.map(\.reason) == [.machineLost])
        #expect(outcomes.allSatisfy { $0.succeeded })
        #expect(try await store.machine(id: victim)?.state == .returned)
        #expect(provider.held.count == 2)
    }

    @Test func aFailedReturnLeavesTheMachineTerminatingAndIsFinishedLater() async throws {
        try await applyOnce(desired(count: 2))
        provider.failNextReturns(1)
        let (_, outcomes) = try await applyOnce(desired(count: 1))
        #expect(outcomes.first?.succeeded == false)
        let stuck = try await store.activeMachines().filter { $0.state == .terminating }
        #expect(stuck.count == 1)
        let (retry, _) = try await applyOnce(desired(count: 1))
        #expect(retry.plan.actions.map(\.reason) == [.returnIncomplete])
        #expect(provider.held.count == 1)
        #expect(try await store.activeMachines().count == 1)
    }

    @Test func anUnreachableProviderIsLeftAloneWithAWarning() async throws {
        try await applyOnce(desired(count: 2))
        provider.failObservation(with: ProviderError(code: "timeout", message: "no answer", retryable: true))
        let snapshot = try await reconciler.snapshot(of: desired(count: 5), sync: true)
        let result = try reconciler.plan(snapshot, allowEmpty: false)
        #expect(result.plan.isEmpty)
        #expect(result.plan.warnings.map(\.code) == ["provider-unreachable"])
        #expect(try await store.activeMachines().allSatisfy { $0.state == .pending || $0.state == .running },
                "machines of an unreachable provider are not marked lost")
    }

    @Test func convergeReplacesWhatIsLostUntilHealthy() async throws {
        try await applyOnce(desired(count: 3))
        provider.lose(provider.held[0].id)
        provider.lose(provider.held[0].id)
        let outcomes = try await reconciler.converge(desired: desired(count: 3), allowEmpty: false, parallelism: 2,
                                                     timeout: ConfigDuration(milliseconds: 10_000),
                                                     pollInterval: ConfigDuration(milliseconds: 10))
        #expect(outcomes.count == 2)
        #expect(provider.held.count == 3)
        let known = Set(try await store.resources().map(\.id.description))
        #expect(known == ["Fleet/workers", "Provider/here", "Template/worker"])
    }

    @Test func theLockIsExclusiveAndTimesOutNamingTheHolder() async throws {
        let clock = ManualClock()
        let first = LockRecord(id: "lock-a", operation: "apply", who: "a@h", host: "h", pid: 1, processStart: "1", createdAt: clock.now())
        let second = LockRecord(id: "lock-b", operation: "apply", who: "b@h", host: "h", pid: 2, processStart: "2", createdAt: clock.now())
        let lock = StateLock(store: store)
        _ = try await lock.acquire(first, timeout: ConfigDuration(milliseconds: 0)) { _ in false }
        await #expect(throws: LockTimeout.self) {
            _ = try await lock.acquire(second, timeout: ConfigDuration(milliseconds: 200)) { _ in false }
        }
        _ = try await lock.acquire(second, timeout: ConfigDuration(milliseconds: 0)) { holder in holder.id == "lock-a" }
        #expect(try await store.currentLock()?.id == "lock-b")
    }
}
