import Testing
import OrbrecCore
import OrbrecTestSupport

/// The pure rules of workflow runs: how a run moves on, which runs are due, and what a
/// running run adds to the desired state.
@Suite("Workflow runs")
struct WorkflowRunTests {
    static let t0 = Instant(millisecondsSinceEpoch: 1_795_543_200_000)  // 2026-11-24T18:00Z

    static func at(_ seconds: Int64) -> Instant { t0.adding(ConfigDuration(milliseconds: seconds * 1000)) }

    static let spec = WorkflowSpec(metadata: Metadata(name: "nightly"), steps: [
        .init(name: "capacity", work: .provision(fleet: "workers", count: 2, waitReady: true)),
        .init(name: "simulate", needs: ["capacity"], work: .taskPool(ref: "sims"), timeout: .seconds(600)),
        .init(name: "lint", work: .run(scheduler: "cpu", command: [try! CommandTemplate(parsing: "lint")], resources: .init())),
        .init(name: "report", needs: ["simulate", "lint"],
              work: .run(scheduler: "cpu", command: [try! CommandTemplate(parsing: "report"), try! CommandTemplate(parsing: "${run}/${step}/${attempt}")],
                         resources: .init())),
        .init(name: "release", needs: ["report"], work: .provision(fleet: "workers", count: 0, waitReady: false), always: true),
    ], trigger: .init(onChange: true, schedule: try! CronSchedule("0 2 * * *")))

    static func run(_ states: [String: WorkflowRun.Step.State] = [:], started: Instant = t0) -> WorkflowRun {
        WorkflowRun(id: "wr-1", workflow: "nightly", specHash: spec.specHash, trigger: .manual, createdAt: t0,
                    steps: spec.steps.map { WorkflowRun.Step(name: $0.name, state: states[$0.name] ?? .pending,
                                                             startedAt: states[$0.name] == .running ? started : nil) })
    }

    let planner = WorkflowRunPlanner()

    @Test func aNewRunStartsItsRootsInOrder() {
        let progress = planner.advance(Self.run(), spec: Self.spec, observations: [:], now: Self.t0)
        #expect(progress.started == ["capacity", "lint"])
        #expect(progress.ended.isEmpty)
        #expect(progress.runState == nil)
    }

    @Test func aProvisionStepWaitsForReadyMachinesThenTheNextStepStarts() {
        let running = Self.run(["capacity": .running, "lint": .running])
        #expect(planner.advance(running, spec: Self.spec, observations: ["capacity": .machines(ready: 1, present: 2, leaving: 0)],
                                 now: Self.at(5)).isEmpty)
        let ready = planner.advance(running, spec: Self.spec, observations: ["capacity": .machines(ready: 2, present: 2, leaving: 0)],
                                      now: Self.at(9))
        #expect(ready.ended.map(\.name) == ["capacity"])
        #expect(ready.started == ["simulate"])
    }

    @Test func poolStepsSucceedWhenEveryTaskCompletedAndFailOtherwise() {
        let running = Self.run(["capacity": .succeeded, "simulate": .running, "lint": .running])
        let partly = planner.advance(running, spec: Self.spec, observations: ["simulate": .tasks([.completed, .running])], now: Self.at(5))
        #expect(partly.isEmpty)
        let done = planner.advance(running, spec: Self.spec, observations: [
            "simulate": .tasks([.completed, .completed]), "lint": .tasks([.completed]),
        ], now: Self.at(9))
        #expect(done.ended.map(\.name).sorted() == ["lint", "simulate"])
        #expect(done.started == ["report"])
        let failed = planner.advance(running, spec: Self.spec, observations: ["simulate": .tasks([.completed, .deadLetter])], now: Self.at(9))
        #expect(failed.ended.first?.state == .failed)
        #expect(failed.ended.first?.message == "1 of 2 task(s) did not complete")
    }

    @Test func aFailureSkipsWhatNeedsItButTheAlwaysStepRunsAndTheRunFails() {
        let running = Self.run(["capacity": .succeeded, "simulate": .running, "lint": .succeeded])
        let progress = planner.advance(running, spec: Self.spec, observations: ["simulate": .tasks([.deadLetter])], now: Self.at(9))
        #expect(progress.ended.map(\.name) == ["simulate", "report"])
        #expect(progress.ended.map(\.state) == [.failed, .skipped])
        #expect(progress.started == ["release"], "cleanup runs even after a failure")
        #expect(progress.runState == nil, "the run ends once its cleanup has given the machines back")
        let releasing = progress.applied(to: running, at: Self.at(9))
        let stillThere = planner.advance(releasing, spec: Self.spec, observations: ["release": .machines(ready: 0, present: 0, leaving: 2)],
                                         now: Self.at(10))
        #expect(stillThere.isEmpty, "machines still being returned")
        let gone = planner.advance(releasing, spec: Self.spec, observations: ["release": .machines(ready: 0, present: 0, leaving: 0)],
                                   now: Self.at(12))
        #expect(gone.ended.map(\.name) == ["release"] && gone.ended.first?.state == .succeeded)
        #expect(gone.ended.first?.message == "workers has 0 machine(s)")
        #expect(gone.runState == .failed)
        let after = gone.applied(to: releasing, at: Self.at(12))
        #expect(after.state == .failed && after.endedAt == Self.at(12))
        #expect(after.step("release")?.state == .succeeded)
    }

    @Test func aFailedCleanupStepFailsTheRunEvenWhenEverythingElseSucceeded() {
        var spec = Self.spec
        spec.steps[4].work = .run(scheduler: "cpu", command: [try! CommandTemplate(parsing: "release")], resources: .init())
        let running = Self.run(["capacity": .succeeded, "simulate": .succeeded, "lint": .succeeded, "report": .succeeded,
                                "release": .running])
        let progress = planner.advance(running, spec: spec, observations: ["release": .tasks([.deadLetter])], now: Self.at(30))
        #expect(progress.ended.map(\.state) == [.failed])
        #expect(progress.runState == .failed, "capacity that was not given back fails the run")
    }

    @Test func everythingSucceededMeansTheRunSucceeded() {
        let running = Self.run(["capacity": .succeeded, "simulate": .succeeded, "lint": .succeeded, "report": .running])
        let progress = planner.advance(running, spec: Self.spec, observations: ["report": .tasks([.completed])], now: Self.at(20))
        #expect(progress.started == ["release"])
        #expect(progress.runState == nil)
        let released = planner.advance(progress.applied(to: running, at: Self.at(20)), spec: Self.spec,
                                       observations: ["release": .machines(ready: 0, present: 0, leaving: 0)], now: Self.at(25))
        #expect(released.runState == .succeeded)
    }

    @Test func aProvisionStepWithoutWaitReadyEndsOnceTheMachinesExist() {
        var spec = Self.spec
        spec.steps[0].work = .provision(fleet: "workers", count: 2, waitReady: false)
        let started = planner.advance(Self.run(), spec: spec, observations: [:], now: Self.t0)
        #expect(started.started.contains("capacity") && !started.ended.contains { $0.name == "capacity" })
        let running = Self.run(["capacity": .running, "lint": .running])
        #expect(planner.advance(running, spec: spec, observations: ["capacity": .machines(ready: 0, present: 1, leaving: 0)],
                                now: Self.at(3)).isEmpty)
        let present = planner.advance(running, spec: spec, observations: ["capacity": .machines(ready: 0, present: 2, leaving: 0)],
                                      now: Self.at(4))
        #expect(present.ended.first?.name == "capacity" && present.ended.first?.state == .succeeded, "pending machines are enough")
    }

    @Test func aStepTimesOut() {
        let running = Self.run(["capacity": .succeeded, "simulate": .running, "lint": .succeeded])
        #expect(planner.advance(running, spec: Self.spec, observations: ["simulate": .tasks([.running])], now: Self.at(599)).isEmpty)
        let late = planner.advance(running, spec: Self.spec, observations: ["simulate": .tasks([.running])], now: Self.at(600))
        #expect(late.ended.first?.name == "simulate")
        #expect(late.ended.first?.message == "timed out after 10m")
    }

    @Test func aFinishedOrCancelledRunDoesNothing() {
        var cancelled = Self.run()
        cancelled.state = .cancelled
        #expect(planner.advance(cancelled, spec: Self.spec, observations: [:], now: Self.t0).isEmpty)
    }

    // MARK: Triggers

    @Test func onChangeStartsOneRunPerGeneration() {
        let triggers = WorkflowTriggers()
        let first = triggers.decide(Self.spec, runs: [], since: Self.t0, now: Self.at(1))
        #expect(first.starts.map(\.trigger) == [.change])
        var done = Self.run()
        done.state = .succeeded
        #expect(triggers.decide(Self.spec, runs: [done], since: Self.t0, now: Self.at(2)).starts.isEmpty)
        var changed = Self.spec
        changed.steps[0].work = .provision(fleet: "workers", count: 3, waitReady: true)
        #expect(triggers.decide(changed, runs: [done], since: Self.t0, now: Self.at(3)).starts.map(\.trigger) == [.change])
    }

    @Test func theScheduleComesDueOncePerMomentAndConcurrencyDecides() {
        var spec = Self.spec
        spec.trigger.onChange = false
        let triggers = WorkflowTriggers()
        // 02:00 the next day is 8 h after t0.
        #expect(triggers.decide(spec, runs: [], since: Self.t0, now: Self.at(8 * 3600 - 1)).starts.isEmpty)
        let due = triggers.decide(spec, runs: [], since: Self.t0, now: Self.at(8 * 3600 + 30))
        #expect(due.starts.first?.scheduledFor == Self.at(8 * 3600))
        #expect(due.starts.first?.reason == "schedule 0 2 * * * came due at 2026-11-25T02:00Z", "the moment in UTC, readable")
        var scheduled = Self.run()
        scheduled.trigger = .schedule
        scheduled.scheduledFor = Self.at(8 * 3600)
        scheduled.state = .succeeded
        #expect(triggers.decide(spec, runs: [scheduled], since: Self.t0, now: Self.at(9 * 3600)).starts.isEmpty, "not twice for one moment")

        var active = Self.run()
        active.state = .running
        let nextDay = Self.at(32 * 3600 + 10)
        let forbid = triggers.decide(spec, runs: [scheduled, active], since: Self.t0, now: nextDay)
        #expect(forbid.starts.isEmpty)
        #expect(forbid.held.first?.contains("still running") == true)
        spec.concurrency = .replace
        #expect(triggers.decide(spec, runs: [scheduled, active], since: Self.t0, now: nextDay).starts.first?.cancels == ["wr-1"])
        spec.concurrency = .allow
        #expect(triggers.decide(spec, runs: [scheduled, active], since: Self.t0, now: nextDay).starts.first?.cancels == [])
    }

    // MARK: What a run adds to the desired state

    @Test func aRunningRunSetsCountsAndAddsItsPools() throws {
        let sims = TaskPoolSpec(metadata: Metadata(name: "sims"), scheduler: "cpu", command: [try CommandTemplate(parsing: "sim")],
                                source: .range(from: 1, to: 4))
        var desired = DesiredState(providers: [Fixtures.provider()], templates: [Fixtures.template()],
                                   fleets: [Fixtures.fleet("workers", count: 0)], pools: [sims], workflows: [Self.spec], revision: "r")
        desired.schedulers["cpu"] = SchedulerSpec(metadata: Metadata(name: "cpu"), type: .local)
        let running = Self.run(["capacity": .succeeded, "simulate": .running, "lint": .succeeded, "report": .running])
        let applied = desired.applying([running])
        #expect(applied.fleets["workers"]?.count == 2)
        #expect(applied.pools["wr-1-simulate"]?.tasks.count == 4)
        let report = try #require(applied.pools["wr-1-report"])
        #expect(report.argv(for: report.tasks[0], attempt: 2) == ["report", "wr-1/report/2"])
        #expect(applied.pools["wr-1-lint"] == nil, "a finished step's pool is gone")
        var ended = running
        ended.state = .succeeded
        var withoutSims = desired
        withoutSims.pools["sims"] = nil
        #expect(desired.applying([ended]) == withoutSims, "an ended run adds nothing; a referenced pool never runs on its own")
        let releasing = Self.run(["capacity": .succeeded, "simulate": .succeeded, "lint": .succeeded, "report": .succeeded,
                                  "release": .succeeded])
        #expect(desired.applying([releasing]).fleets["workers"]?.count == 0, "a later step's count wins")
    }
}
