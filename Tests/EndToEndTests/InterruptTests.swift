import Foundation
import OrbrecTestSupport
import Testing

/// Issue 16, item 9: SIGINT during `apply --wait` stops submitting, says what still runs and
/// how to go on, releases the lock and exits 130; a second SIGINT leaves at once.
@Suite(.serialized) struct InterruptTests {
    /// Six 30 s tasks, two at a time: after the first two start, the apply only waits.
    func writeSlowPool(_ h: Harness) throws {
        try h.writePool(slots: 2, spec: """
            range: {from: 1, to: 6}
            command: ["sleep", "30"]
            parallelism: 2
            """)
    }

    @Test(arguments: TestStateBackend.allCases)
    func sigintStopsSubmittingSaysWhatRunsAndReleasesTheLock(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try writeSlowPool(h)
        let apply = try h.startOrbrec("apply", "--auto-approve", "--wait", "--timeout", "120s")
        defer { apply.kill9() }
        #expect(h.eventually(timeout: 30) { h.runningCommands(pool: "sims").count == 2 }, "two attempts start")

        kill(apply.pid, SIGINT)
        let result = try apply.wait(timeout: 20)
        #expect(result.status == 130, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("Interrupted: starting nothing more"), "\(result.stderr)")
        #expect(result.stdout.contains("Interrupted: nothing more was started."), "\(result.stdout)")
        #expect(result.stdout.contains("TaskPool/sims: 2 running, 4 not started"), "\(result.stdout)")
        #expect(result.stdout.contains("under their supervisor, which outlives orbrec"), "\(result.stdout)")
        // A URL has a '?' in it: the hint quotes it for the shell.
        let state = backend == .sqlite ? h.state : "'\(h.state)'"
        #expect(result.stdout.contains("To go on: orbrec apply -c \(h.config) --state \(state) --wait; to look: orbrec status"),
                "\(result.stdout)")

        // The lock is released, not left to a dead holder.
        #expect(try h.orbrec("lock", "status").stdout.contains("The state is not locked."))
        // What started keeps running under its supervisor; nothing more was submitted.
        usleep(1_500_000)
        #expect(h.runningCommands(pool: "sims").count == 2)
        let states = try h.tasks("sims").compactMap { $0["state"] as? String }
        #expect(states == ["running", "running"], "only the two started are in the state: \(states)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func sigintAtTheConfirmationLeavesWithNothingAppliedAndTheLockReleased(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 1)
        let apply = try h.startOrbrec("apply", "--wait")
        defer { apply.kill9() }
        let prompted = h.eventually(timeout: 30) {
            ((try? String(contentsOfFile: apply.outputFile, encoding: .utf8)) ?? "").contains("Enter a value:")
        }
        #expect(prompted)
        kill(apply.pid, SIGINT)
        let result = try apply.wait(timeout: 10)
        #expect(result.status == 130, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("Interrupted; nothing was applied."), "\(result.stderr)")
        #expect(try h.orbrec("lock", "status").stdout.contains("The state is not locked."))
        #expect(h.machineProcesses(stateID: try h.stateID()).isEmpty)
        let history = try h.orbrec("history", "--json")
        #expect((try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [Any])?.isEmpty == true, "\(history.stdout)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func aSecondSigintLeavesAtOnce(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killMachines() }
        try h.writeFleet(count: 2)
        // Each machine's start takes 4 s longer: a graceful stop would wait for the one in flight.
        let apply = try h.startOrbrec("apply", "--auto-approve", "--wait", environment: ["ORBREC_FAILPOINT_DELAY": "local.after-spawn:4000"])
        defer { apply.kill9() }
        #expect(h.eventually(timeout: 30) { !h.machineProcesses(stateID: (try? h.stateIDQuietly()) ?? "").isEmpty }, "a machine is starting")
        let started = Date()
        kill(apply.pid, SIGINT)
        usleep(200_000)
        kill(apply.pid, SIGINT)
        let result = try apply.wait(timeout: 10)
        #expect(result.status == 130, "\(result.stdout)\n\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 3, "left before the machine in flight finished starting")
        #expect(!result.stdout.contains("Interrupted: nothing more was started."), "no orderly report: \(result.stdout)")
        // The lock names a process that is gone: the next apply takes it over.
        let next = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(next.status == 0, "\(next.stdout)\n\(next.stderr)")
    }
}

extension Harness {
    /// The state's id once the state exists ("" before: planning would create it).
    func stateIDQuietly() throws -> String {
        guard try stateExists() else { return "" }
        return try stateID()
    }
}
