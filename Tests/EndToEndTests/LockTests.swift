import Foundation
import OrbrecTestSupport
import Testing

@Suite struct LockTests {
    /// An apply waiting at its confirmation prompt holds the lock.
    func holdLock(_ h: Harness) throws -> Harness.Running {
        let holder = try h.startOrbrec("apply")
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if try h.orbrec("lock", "status").stdout.contains("Operation: apply") { return holder }
            usleep(50_000)
        }
        Issue.record("the first apply never took the lock")
        return holder
    }

    @Test(arguments: TestStateBackend.allCases)
    func aSecondApplyWaitsThenExitsFiveNamingTheHolder(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 3)
        let holder = try holdLock(h)
        let started = Date()
        let second = try h.orbrec("apply", "--auto-approve", "--lock-timeout", "1s")
        #expect(second.status == 5)
        #expect(Date().timeIntervalSince(started) >= 1.0, "it waited for --lock-timeout")
        #expect(second.stderr.contains("the state is locked by lock-"))
        #expect(second.stderr.contains("apply by "))
        #expect(second.stderr.contains("pid \(holder.processIdentifier)"))
        #expect(h.machineProcesses(stateID: try h.stateID()).isEmpty, "the second apply provisioned nothing")

        holder.write("yes\n")
        holder.closeInput()
        #expect(try holder.wait(timeout: 60).status == 0)
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 3)
    }

    @Test(arguments: TestStateBackend.allCases)
    func aWaitingApplyRunsAfterTheHolderAndProvisionsNothingTwice(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 3)
        let holder = try holdLock(h)
        let waiter = try h.startOrbrec("apply", "--auto-approve", "--lock-timeout", "30s")
        usleep(500_000)
        holder.write("yes\n")
        holder.closeInput()
        #expect(try holder.wait(timeout: 60).status == 0)
        let second = try waiter.wait(timeout: 60)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("No changes."))
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 3)
    }

    @Test(arguments: TestStateBackend.allCases)
    func forceUnlockRefusesALiveHolderOnThisHostUnlessForced(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 1)
        let holder = try holdLock(h)
        let status = try h.json(try h.orbrec("lock", "status", "--json").stdout)
        let id = try #require((status["lock"] as? [String: Any])?["id"] as? String)
        #expect(try h.orbrec("lock", "force-unlock", "lock-wrong").status == 1)
        let refused = try h.orbrec("lock", "force-unlock", id)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("lock \(id) is held by a running process: apply by "), "\(refused.stderr)")
        #expect(refused.stderr.contains("pid \(holder.processIdentifier) on this host"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try h.orbrec("lock", "status").stdout.contains("Locked:    \(id)"), "the live holder keeps its lock")
        let forced = try h.orbrec("lock", "force-unlock", id, "--force")
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("Lock \(id) removed."))
        #expect(try h.orbrec("lock", "status").stdout.contains("not locked"))
        holder.kill9()
        _ = try holder.wait(timeout: 10)
    }

    @Test(arguments: TestStateBackend.allCases)
    func forceUnlockRemovesTheLockOfAHolderThatIsGoneWithoutForce(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 1)
        let holder = try holdLock(h)
        let status = try h.json(try h.orbrec("lock", "status", "--json").stdout)
        let id = try #require((status["lock"] as? [String: Any])?["id"] as? String)
        holder.kill9()
        _ = try holder.wait(timeout: 10)
        let removed = try h.orbrec("lock", "force-unlock", id)
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(try h.orbrec("lock", "status").stdout.contains("not locked"))
    }
}
