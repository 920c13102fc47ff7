import Foundation
import OrbrecTestSupport
import Testing

@Suite struct MachineLifecycleTests {
    @Test(arguments: TestStateBackend.allCases)
    func aMachineWhoseProcessDiedIsPlannedAsLostAndReplaced(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 2)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let id = try h.stateID()
        let (victim, pid) = try #require(h.machineProcesses(stateID: id).sorted { $0.key < $1.key }.first)
        kill(-pid, SIGKILL)
        usleep(100_000)
        let plan = try h.json(try h.orbrec("plan", "--json").stdout)
        let actions = plan["actions"] as? [[String: Any]] ?? []
        #expect(actions.count == 1)
        #expect(actions.first?["verb"] as? String == "replace")
        #expect(actions.first?["reason"] as? String == "machine-lost")
        #expect(actions.first?["machines"] as? [String] == [victim])
        #expect((plan["drift"] as? [[String: Any]])?.first?["kind"] as? String == "lost")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let live = h.machineProcesses(stateID: id)
        #expect(live.count == 2)
        #expect(live[victim] == nil)
    }

    @Test(arguments: TestStateBackend.allCases)
    func aManuallyReturnedMachineIsReplacedByTheNextApply(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 2)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let victim = try #require(try h.runningMachines().sorted().first)
        let returned = try h.orbrec("machines", "return", victim)
        #expect(returned.status == 0, "\(returned.stderr)")
        #expect(h.machineProcesses(stateID: try h.stateID())[victim] == nil)
        #expect(try h.orbrec("machines", "return", "no-such-machine").status == 1)
        let plan = try h.json(try h.orbrec("plan", "--json").stdout)
        #expect((plan["summary"] as? [String: Int])?["provision"] == 1)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 2)
    }

    @Test(arguments: TestStateBackend.allCases)
    func aTemplateChangeRollsOutInWavesAndConverges(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 3)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let before = Set(h.machineProcesses(stateID: try h.stateID()).keys)
        try h.writeFleet(count: 3, command: #"["sleep", "301"]"#)
        let plan = try h.json(try h.orbrec("plan", "--json").stdout)
        let actions = plan["actions"] as? [[String: Any]] ?? []
        #expect(actions.count == 3)
        #expect(actions.allSatisfy { $0["verb"] as? String == "replace" && $0["reason"] as? String == "template-changed" })
        #expect(actions.compactMap { $0["wave"] as? Int } == [1, 2, 3])
        #expect(actions.allSatisfy { $0["surge_first"] as? Bool == true })
        let applied = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "30s")
        #expect(applied.status == 0, "\(applied.stderr)")
        let after = h.machineProcesses(stateID: try h.stateID())
        #expect(after.count == 3)
        #expect(before.isDisjoint(with: after.keys))
    }

    @Test(arguments: TestStateBackend.allCases)
    func aCommandThatCannotStartFailsTheRequestClearly(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 2, command: #"["/nonexistent/program"]"#)
        let result = try h.orbrec("apply", "--auto-approve")
        #expect(result.status == 1)
        #expect(result.stdout.contains("cannot start '/nonexistent/program'"))
        let requests = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "requests", "-o", "json").stdout.utf8)) as? [[String: Any]] ?? []
        #expect(requests.first?["status"] as? String == "failed")
        let actions = try JSONSerialization.jsonObject(with: Data(try h.orbrec("history", "--json").stdout.utf8)) as? [[String: Any]] ?? []
        #expect(actions.first?["state"] as? String == "failed")
    }
}
