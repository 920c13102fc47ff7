import Foundation
import OrbrecCore
@testable import OrbrecEngine
import OrbrecStore
import OrbrecTestSupport
import Testing

/// The daemon's loop against fake providers and a real SQLite file, pass by pass, with a
/// manual clock: which keys it acts on, how a failing key backs off while others converge,
/// what an invalid configuration does, and what stopping leaves behind.
@Suite struct ReconcileLoopTests {
    let here = FakeProvider(name: "here")
    let there = FakeProvider(name: "there")
    let clock = ManualClock()
    let store: StateStore
    let loop: ReconcileLoop
    let locks = LockCounter()
    let logged = LoggedLines()

    final class LoggedLines: @unchecked Sendable {
        let lock = NSLock()
        var lines: [(DaemonLog.Level, String)] = []
        func append(_ level: DaemonLog.Level, _ text: String) { lock.withLock { lines.append((level, text)) } }
        var errors: [String] { lock.withLock { lines.filter { $0.0 == .error }.map(\.1) } }
    }

    final class LockCounter: @unchecked Sendable {
        let lock = NSLock()
        var held = 0
        var taken = 0
        var busy = false
        /// An error of the state itself, as a full disk gives.
        var failure: (any Error)?
    }

    init() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-loop-\(UUID().uuidString)/state.db").path
        store = try StateStore(path: path)
        let here = self.here, there = self.there, locks = self.locks, logged = self.logged
        let reconciler = Reconciler(store: store, providerFactory: { $0.name == "there" ? there : here }, clock: clock, actor: "daemon@test")
        loop = ReconcileLoop(reconciler: reconciler, store: store, clock: clock, schedule: clock,
                             options: DaemonOptions(lockTimeout: ConfigDuration(milliseconds: 300)),
                             lock: StateLockHooks(acquire: { _ in
                                 try locks.lock.withLock {
                                     if locks.busy {
                                         throw LockTimeout(holder: LockRecord(id: "lock-cli", operation: "apply", who: "op@host", host: "host",
                                                                              pid: 1, processStart: "1", createdAt: Instant(millisecondsSinceEpoch: 0)),
                                                           timeout: ConfigDuration(milliseconds: 0))
                                     }
                                     if let failure = locks.failure { throw failure }
                                     locks.held += 1
                                     locks.taken += 1
                                 }
                                 return "lock"
                             }, release: { _ in locks.lock.withLock { locks.held -= 1 } }),
                             log: DaemonLog { level, message, fields in
                                 logged.append(level, ([message] + fields.map { "\($0.0)=\($0.1)" }).joined(separator: " "))
                             })
    }

    struct DiskFull: Error, CustomStringConvertible { var description: String { "SQLite error 13: database or disk is full" } }

    /// Each distinct configuration has its own revision, as the files' digest would be.
    func desired(a: Int, b: Int) -> DesiredState {
        var state = Fixtures.desired(providers: [Fixtures.provider("here"), Fixtures.provider("there")],
                         templates: [Fixtures.template("near", provider: "here"), Fixtures.template("far", provider: "there")],
                         fleets: [Fixtures.fleet("a", template: "near", count: a), Fixtures.fleet("b", template: "far", count: b)])
        state.revision = "a\(a)-b\(b)"
        return state
    }

    func passDue() async {
        let keys = await loop.takeDue(now: clock.now())
        if !keys.isEmpty { await loop.pass(keys) }
    }

    @Test func aFailingFleetBacksOffWhileTheOtherConverges() async throws {
        there.failNextProvisions(10)
        await loop.configurationLoaded(.valid(desired(a: 2, b: 1)), cause: "test")
        await passDue()
        #expect(here.held.count == 2)
        #expect(there.held.isEmpty)
        #expect(await loop.queue.failureCount(of: ResourceID(.fleet, "b")) == 1)
        #expect(await loop.queue.failureCount(of: ResourceID(.fleet, "a")) == 0)
        #expect(locks.held == 0, "the lock is let go after each pass")

        // Within the backoff, a resync does not touch b (only a); once it has passed, b is tried again.
        await loop.scheduleObservation(now: clock.now())
        let resynced = await loop.takeDue(now: clock.now())
        #expect(resynced == [ResourceID(.fleet, "a")])
        await loop.pass(resynced)
        clock.advance(by: .seconds(1))
        let keys = await loop.takeDue(now: clock.now())
        #expect(keys == [ResourceID(.fleet, "b")])
        await loop.pass(keys)
        #expect(await loop.queue.failureCount(of: ResourceID(.fleet, "b")) == 2)
        #expect(await loop.queue.nextDue == clock.now().adding(.seconds(2)))

        // A change is acted on at once, backoff or not; a success clears the backoff.
        there.failNextProvisions(0)
        await loop.configurationLoaded(.valid(desired(a: 2, b: 2)), cause: "test")
        await passDue()
        #expect(there.held.count == 2)
        #expect(await loop.queue.failureCount(of: ResourceID(.fleet, "b")) == 0)
        #expect(try await store.actions().filter { $0.resource == ResourceID(.fleet, "a") }.count == 1, "a saw no further action")
    }

    @Test func aChangeReconcilesOnlyWhatChanged() async throws {
        await loop.configurationLoaded(.valid(desired(a: 1, b: 1)), cause: "test")
        await passDue()
        #expect(await loop.takeDue(now: clock.now()).isEmpty)
        await loop.configurationLoaded(.valid(desired(a: 3, b: 1)), cause: "test")
        let keys = await loop.takeDue(now: clock.now())
        #expect(keys == [ResourceID(.fleet, "a")])
        await loop.pass(keys)
        #expect(here.held.count == 3)
        // The same revision again (a file touched, not changed) enqueues nothing.
        await loop.configurationLoaded(.valid(desired(a: 3, b: 1)), cause: "test")
        #expect(await loop.takeDue(now: clock.now()).isEmpty)
    }

    @Test func anInvalidConfigurationIsReportedAndTheLastValidOneStays() async throws {
        await loop.configurationLoaded(.valid(desired(a: 1, b: 0)), cause: "test")
        await passDue()
        let revision = loop.status.current.revision
        #expect(loop.status.current.isReady)
        let problem = Diagnostic.error("bad-count", "spec.count must be an integer", at: SourceLocation(file: "a.yaml", line: 6, column: 10))
        await loop.configurationLoaded(.invalid([problem]), cause: "test")
        #expect(loop.status.current.revision == revision)
        #expect(!loop.status.current.isReady)
        #expect(loop.status.current.configurationErrors == [problem])
        #expect(await loop.takeDue(now: clock.now()).isEmpty, "nothing is reconciled for an invalid configuration")
        // Reported once, not at every save of the same broken file.
        await loop.configurationLoaded(.invalid([problem]), cause: "test")
        let invalid = try await store.events().filter { $0.resource == "configuration" && $0.toState == "invalid" }
        #expect(invalid.count == 1)
        #expect(invalid.first?.cause.contains("a.yaml:6:10") == true)
        await loop.configurationLoaded(.valid(desired(a: 1, b: 0)), cause: "test")
        #expect(loop.status.current.isReady)
        #expect(try await store.events().last?.toState == "valid")
    }

    @Test func stoppingStartsNothingAndCancelsWhatWasPlanned() async throws {
        await loop.configurationLoaded(.valid(desired(a: 2, b: 2)), cause: "test")
        let keys = await loop.takeDue(now: clock.now())
        loop.stop()
        await loop.pass(keys)
        #expect(here.callLog.isEmpty && there.callLog.isEmpty)
        let states = try await store.actions().map(\.state)
        #expect(!states.isEmpty)
        #expect(states.allSatisfy { $0 == .cancelled })
        #expect(!loop.status.current.isReady)
    }

    @Test func aBusyLockDelaysThePassWithoutBackingOff() async throws {
        locks.lock.withLock { locks.busy = true }
        await loop.configurationLoaded(.valid(desired(a: 1, b: 1)), cause: "test")
        await passDue()
        #expect(here.held.isEmpty)
        #expect(await loop.queue.failureCount(of: ResourceID(.fleet, "a")) == 0, "someone else holding the lock is not a's failure")
        #expect(loop.status.current.waitingForLock != nil)
        #expect(loop.status.current.lastPassError == nil)
        locks.lock.withLock { locks.busy = false }
        #expect(await loop.takeDue(now: clock.now()).isEmpty, "tried again a second later")
        clock.advance(by: .seconds(1))
        await passDue()
        #expect(here.held.count == 1 && there.held.count == 1)
        #expect(loop.status.current.waitingForLock == nil)
    }

    @Test func aStateThatCannotBeWrittenFailsThePassAndIsRetriedUntilItCanBe() async throws {
        await loop.configurationLoaded(.valid(desired(a: 1, b: 1)), cause: "test")
        await passDue()
        #expect(loop.status.current.isReady)
        locks.lock.withLock { locks.failure = DiskFull() }
        await loop.configurationLoaded(.valid(desired(a: 2, b: 1)), cause: "test")
        await passDue()
        let status = loop.status.current
        #expect(!status.isReady, "a pass that could not write the state is a failed pass")
        #expect(status.waitingForLock == nil, "a full disk is not a lock holder")
        #expect(status.lastPassError?.contains("database or disk is full") == true)
        #expect(logged.errors.contains { $0.contains("reconcile pass failed") && $0.contains("database or disk is full") })
        let row = try #require(status.report?.rows.first { $0.id == ResourceID(.fleet, "a") })
        #expect(row.sync == .unknown, "the old count is not reported as Synced")
        #expect(row.message.contains("database or disk is full"))
        #expect(await loop.queue.failureCount(of: ResourceID(.fleet, "a")) == 0, "the state's failure is not a's")
        #expect(here.held.count == 1)

        // Retried a second later, then two, while it still fails; at once working when it can.
        clock.advance(by: .seconds(1))
        await passDue()
        #expect(!loop.status.current.isReady)
        #expect(await loop.takeDue(now: clock.now().adding(ConfigDuration(milliseconds: 1999))).isEmpty)
        locks.lock.withLock { locks.failure = nil }
        clock.advance(by: .seconds(2))
        await passDue()
        #expect(loop.status.current.isReady)
        #expect(loop.status.current.lastPassError == nil)
        #expect(here.held.count == 2, "the change made while the state failed is carried out")
    }

    @Test func aRemovalRightAfterAChangeWaitsForTheConfigurationToBeQuiet() async throws {
        await loop.configurationLoaded(.valid(desired(a: 1, b: 1)), cause: "test")
        await passDue()
        #expect(there.held.count == 1)
        // b's file is gone (perhaps moving to another directory): its machine is kept for now...
        var withoutB = desired(a: 1, b: 0)
        withoutB.fleets["b"] = nil
        withoutB.revision = "no-b"
        await loop.configurationLoaded(.valid(withoutB), cause: "test")
        await passDue()
        #expect(there.held.count == 1)
        #expect(try await store.actions().allSatisfy { $0.reason != .removedFromConfig })
        // ...and returned once the configuration has been quiet for the prune delay.
        clock.advance(by: .seconds(3))
        await passDue()
        #expect(there.held.isEmpty)
        #expect(try await store.actions().contains { $0.reason == .removedFromConfig && $0.state == .succeeded })
    }


    @Test func aScheduledWorkflowRunStartsWhenItComesDueAndActsAtOnce() async throws {
        var desired = desired(a: 1, b: 0)
        let every5 = try CronSchedule("*/5 * * * *")
        desired.workflows["grow"] = WorkflowSpec(metadata: Metadata(name: "grow"), steps: [
            .init(name: "capacity", work: .provision(fleet: "a", count: 3, waitReady: true)),
        ], trigger: .init(schedule: every5))
        desired.revision = "with-workflow"
        await loop.configurationLoaded(.valid(desired), cause: "test")
        await passDue()
        #expect(here.held.count == 1)
        #expect(try await store.workflowRuns().isEmpty, "a schedule's past moments start nothing")
        // The loop wakes for the workflow exactly when the schedule comes due (after the
        // periodic look it also gets now).
        await loop.scheduleObservation(now: clock.now())
        await passDue()
        await loop.scheduleObservation(now: clock.now())
        let due = try #require(every5.next(after: clock.now()))
        let wait = due.millisecondsSinceEpoch - clock.now().millisecondsSinceEpoch
        clock.advance(by: ConfigDuration(milliseconds: wait - 1))
        #expect(!(await loop.takeDue(now: clock.now()).contains(ResourceID(.workflow, "grow"))))
        clock.advance(by: ConfigDuration(milliseconds: 1))
        let keys = await loop.takeDue(now: clock.now())
        #expect(keys.contains(ResourceID(.workflow, "grow")))
        await loop.pass(keys)
        let runs = try await store.workflowRuns(workflow: "grow")
        #expect(runs.count == 1)
        #expect(runs.first?.trigger == .schedule)
        #expect(runs.first?.scheduledFor == due)
        #expect(here.held.count == 3, "the run's count is acted on in the same pass")
    }
}
