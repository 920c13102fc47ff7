import Foundation
import OrbrecTestSupport
import Testing

@Suite struct PlanGuardTests {
    @Test(arguments: TestStateBackend.allCases)
    func aStaleSavedPlanIsRefusedWithExitFour(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 2)
        #expect(try h.orbrec("plan", "--out", h.directory + "/first.json").status == 0)
        let applied = try h.orbrec("apply", h.directory + "/first.json")
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 2)

        try h.writeFleet(count: 4)
        #expect(try h.orbrec("plan", "--out", h.directory + "/second.json").status == 0)
        let id = try #require(try h.runningMachines().sorted().first)
        #expect(try h.orbrec("machines", "return", id).status == 0)
        let stale = try h.orbrec("apply", h.directory + "/second.json")
        #expect(stale.status == 4)
        #expect(stale.stderr.contains("stale: Fleet/workers changed"))
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 1, "a stale plan applies nothing")
    }

    @Test(arguments: TestStateBackend.allCases)
    func aSavedPlanIsNotDisturbedByChangesToOtherResources(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 1)
        try h.write("batch.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: batch}
            spec: {template: sleeper, count: 1}
            """)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        try h.writeFleet(count: 2)
        #expect(try h.orbrec("plan", "--out", h.directory + "/plan.json").status == 0)
        // Another change, to Fleet/batch only, lands between plan and apply.
        let batchMachine = try #require(try h.runningMachines().first { $0.hasPrefix("batch-") })
        #expect(try h.orbrec("machines", "return", batchMachine).status == 0)
        let saved = try h.orbrec("apply", h.directory + "/plan.json")
        #expect(saved.status == 0, "\(saved.stderr)")
        let live = h.machineProcesses(stateID: try h.stateID()).keys
        #expect(live.filter { $0.hasPrefix("workers-") }.count == 2)
        #expect(live.filter { $0.hasPrefix("batch-") }.isEmpty, "the saved plan did not touch Fleet/batch")
        let again = try h.orbrec("apply", h.directory + "/plan.json")
        #expect(again.status == 4, "a saved plan applies once")
    }

    @Test(arguments: TestStateBackend.allCases)
    func preventDestroyStopsPruningAFleet(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 1, name: "precious", annotations: #"{orbrec/prevent-destroy: "true"}"#)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let id = try h.stateID()
        try h.remove("precious.yaml")
        let plan = try h.orbrec("plan")
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("Fleet/precious was removed from the configuration but is annotated orbrec/prevent-destroy"))
        #expect(try h.orbrec("apply", "--auto-approve").status == 1)
        #expect(h.machineProcesses(stateID: id).count == 1)
    }

    @Test(arguments: TestStateBackend.allCases)
    func removingAFleetReturnsItsMachines(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 2, name: "temp")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        try h.remove("temp.yaml")
        let plan = try h.orbrec("plan", "--json")
        let actions = try h.json(plan.stdout)["actions"] as? [[String: Any]] ?? []
        #expect(actions.first?["reason"] as? String == "removed-from-config")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(h.machineProcesses(stateID: try h.stateID()).isEmpty)
    }

    @Test(arguments: TestStateBackend.allCases)
    func anEmptyConfigurationIsRefusedUnlessAllowed(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 2)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let id = try h.stateID()
        try h.remove("base.yaml")
        try h.remove("workers.yaml")
        let refused = try h.orbrec("apply", "--auto-approve")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--allow-empty"))
        #expect(h.machineProcesses(stateID: id).count == 2)
        let allowed = try h.orbrec("apply", "--auto-approve", "--allow-empty")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(h.machineProcesses(stateID: id).isEmpty)
    }
}
