import Foundation
import OrbrecTestSupport
import Testing

/// SIGKILL of `orbrec apply` while it provisions local machines, then a rerun: the exact
/// count, no duplicate, no orphan, nothing the journal does not know.
@Suite(.serialized) struct CrashSafetyTests {
    static let count = 6

    /// After the rerun: exactly `count` machine processes carry the state's tags, and they are
    /// exactly the machines the journal lists as running.
    func expectConverged(_ h: Harness, _ context: String) throws {
        let rerun = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "30s")
        #expect(rerun.status == 0, "\(context): \(rerun.stderr)")
        let live = h.machineProcesses(stateID: try h.stateID())
        #expect(live.count == Self.count, "\(context): \(live.count) machine processes")
        #expect(Set(live.keys) == (try h.runningMachines()), "\(context): processes and journal disagree")
        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0, "\(context): a converged world plans nothing")
        let actions = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "actions", "-o", "json").stdout.utf8)) as? [[String: Any]] ?? []
        #expect(!actions.contains { ["planned", "issuing"].contains($0["state"] as? String) }, "\(context): no action left open")
    }

    static let failpoints = [
        "journal.after-intent", "action.after-issuing", "local.after-spawn:1", "local.after-spawn:3",
        "local.after-spawn:6", "action.after-provider",
    ]

    @Test(arguments: TestStateBackend.allCases, failpoints)
    func killAtACheckpointThenRerun(_ backend: TestStateBackend, _ failpoint: String) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: Self.count)
        let killed = try h.orbrec("apply", "--auto-approve", environment: ["ORBREC_FAILPOINT": failpoint])
        #expect(killed.status == 9 || killed.status == 137, "the apply was killed at \(failpoint), got \(killed.status)")
        try expectConverged(h, failpoint)
    }

    @Test(arguments: TestStateBackend.allCases, [0, 15, 40, 80, 150])
    func killFromOutsideAfterADelayThenRerun(_ backend: TestStateBackend, _ milliseconds: Int) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: Self.count)
        let apply = try h.startOrbrec("apply", "--auto-approve")
        usleep(UInt32(milliseconds * 1000))
        apply.kill9()
        _ = try apply.wait(timeout: 30)
        try expectConverged(h, "killed after \(milliseconds)ms")
    }

    @Test(arguments: TestStateBackend.allCases)
    func killDuringAReturnThenRerun(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: Self.count)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        try h.writeFleet(count: 2)
        let killed = try h.orbrec("apply", "--auto-approve", environment: ["ORBREC_FAILPOINT": "action.after-issuing"])
        #expect(killed.status == 9 || killed.status == 137)
        let rerun = try h.orbrec("apply", "--auto-approve")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let live = h.machineProcesses(stateID: try h.stateID())
        #expect(live.count == 2)
        #expect(Set(live.keys) == (try h.runningMachines()))
    }

    @Test(arguments: TestStateBackend.allCases)
    func aSecondCrashDuringRecoveryIsAlsoSafe(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: Self.count)
        _ = try h.orbrec("apply", "--auto-approve", environment: ["ORBREC_FAILPOINT": "local.after-spawn:2"])
        _ = try h.orbrec("apply", "--auto-approve", environment: ["ORBREC_FAILPOINT": "local.after-spawn:1"])
        try expectConverged(h, "two crashes in a row")
    }
}
