import Foundation
import OrbrecTestSupport
import Testing

/// `--target`, `--replace` and `destroy` through the binary.
@Suite struct SurgicalCommandTests {
    func writeTwoFleets(_ h: Harness, workers: Int, batch: Int) throws {
        try h.writeFleet(count: workers)
        try h.write("batch.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: batch}
            spec: {template: sleeper, count: \(batch)}
            """)
    }

    func fleetOf(_ id: String) -> String { String(id.split(separator: "-").first ?? "") }

    @Test(arguments: TestStateBackend.allCases)
    func targetPlansAndAppliesOnlyThatFleetAndWarnsThatThePlanIsPartial(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try writeTwoFleets(h, workers: 1, batch: 1)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        try writeTwoFleets(h, workers: 3, batch: 2)

        let plan = try h.orbrec("plan", "--target", "Fleet/batch")
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("# Fleet/batch: scale-up"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("Fleet/workers"), "\(plan.stdout)")
        #expect(plan.stderr.contains("warning: resource targeting is in effect: the plan covers only Provider/here, Template/sleeper, Fleet/batch."),
                "\(plan.stderr)")
        #expect(plan.stderr.contains("1 change(s) outside them are left out"), "\(plan.stderr)")

        let json = try h.json(try h.orbrec("plan", "--json", "--target", "fleet/batch").stdout)
        #expect(json["targets"] as? [String] == ["Provider/here", "Template/sleeper", "Fleet/batch"])
        #expect((json["actions"] as? [[String: Any]])?.map { $0["resource"] as? String } == ["Fleet/batch"])
        #expect((json["warnings"] as? [[String: Any]])?.contains { $0["code"] as? String == "partial-plan" } == true)

        let apply = try h.orbrec("apply", "--auto-approve", "--target", "Fleet/batch")
        #expect(apply.status == 0, "\(apply.stderr)")
        let running = try h.runningMachines()
        #expect(running.filter { fleetOf($0) == "batch" }.count == 2)
        #expect(running.filter { fleetOf($0) == "workers" }.count == 1, "Fleet/workers was not targeted")

        let full = try h.orbrec("plan", "--json")
        #expect((try h.json(full.stdout)["summary"] as? [String: Int])?["provision"] == 2, "the rest is left for a full plan")
    }

    @Test(arguments: TestStateBackend.allCases)
    func unknownAndMalformedTargetsAreRefused(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 1)
        let unknown = try h.orbrec("plan", "--target", "Fleet/nope")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("--target Fleet/nope: neither the configuration nor the state holds it"), "\(unknown.stderr)")
        let malformed = try h.orbrec("plan", "--target", "workers")
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("expected KIND/NAME"), "\(malformed.stderr)")
        let saved = try h.orbrec("apply", h.directory + "/none.json", "--target", "Fleet/workers")
        #expect(saved.status == 1)
        #expect(saved.stderr.contains("a saved plan is applied as it was made"), "\(saved.stderr)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func replaceForcesTheReplacementOfOneMachine(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 2)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let before = try h.runningMachines()
        let victim = try #require(before.sorted().first)
        #expect(try h.orbrec("plan").stdout.contains("No changes."))

        let plan = try h.orbrec("plan", "--replace", victim)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("# Fleet/workers: replace-requested"), "\(plan.stdout)")
        #expect(plan.stdout.contains("-/+ replace \(victim) with a new sleeper"), "\(plan.stdout)")
        #expect(plan.stdout.contains("Plan: 0 to provision, 0 to return, 1 to replace."), "\(plan.stdout)")

        let apply = try h.orbrec("apply", "--auto-approve", "--replace", victim)
        #expect(apply.status == 0, "\(apply.stderr)")
        let after = try h.runningMachines()
        #expect(after.count == 2)
        #expect(!after.contains(victim))
        #expect(after.intersection(before).count == 1, "only the named machine was replaced")
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 2)

        let unknown = try h.orbrec("plan", "--replace", "workers-nope")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("--replace workers-nope: the state holds no such machine"), "\(unknown.stderr)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func destroyReturnsEveryMachineAndCancelsEveryTaskAfterConfirmation(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 2)
        try h.writePool(slots: 2, spec: """
            range: {from: 1, to: 4}
            command: ["sleep", "300"]
            """)
        let apply = try h.orbrec("apply", "--auto-approve")
        #expect(apply.status == 0, "\(apply.stderr)")
        let id = try h.stateID()
        #expect(h.machineProcesses(stateID: id).count == 2)
        #expect(!h.runningCommands(pool: "sims").isEmpty)

        // Without a terminal and without --auto-approve nothing is touched.
        let refused = try h.orbrec("destroy", stdin: "yes\n")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("standard input is not a terminal"), "\(refused.stderr)")
        #expect(h.machineProcesses(stateID: id).count == 2)

        let destroy = try h.orbrec("destroy", "--auto-approve")
        #expect(destroy.status == 0, "\(destroy.stdout)\n\(destroy.stderr)")
        #expect(destroy.stdout.contains("# Fleet/workers: destroy"), "\(destroy.stdout)")
        #expect(destroy.stdout.contains("# TaskPool/sims: destroy"), "\(destroy.stdout)")
        #expect(destroy.stdout.contains("2 to return"), "\(destroy.stdout)")
        // The two attempts submitted (slots: 2) are what the state holds; tasks never submitted are not recorded.
        #expect(destroy.stdout.contains("- cancel 2 task(s) on cpu: 1#1, 2#1"), "\(destroy.stdout)")
        #expect(destroy.stdout.contains("2 to cancel"), "\(destroy.stdout)")
        #expect(destroy.stdout.contains("Destroy complete:"), "\(destroy.stdout)")
        #expect(h.machineProcesses(stateID: id).isEmpty)
        #expect(try h.runningMachines().isEmpty)
        let deadline = Date().addingTimeInterval(15)
        while !h.runningCommands(pool: "sims").isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        #expect(h.runningCommands(pool: "sims").isEmpty, "cancelled attempts stop")
        let tasks = try h.tasks("sims")
        #expect(tasks.count == 2 && tasks.allSatisfy { $0["state"] as? String == "cancelled" }, "\(tasks)")

        let again = try h.orbrec("destroy", "--auto-approve")
        #expect(again.status == 0)
        #expect(again.stdout.contains("No changes."), "\(again.stdout)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func destroyWithoutStateSaysThereIsNothing(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try h.writeFleet(count: 1)
        let result = try h.orbrec("destroy", "--auto-approve")
        #expect(result.status == 0)
        #expect(result.stdout.contains("Nothing to destroy"), "\(result.stdout)")
        #expect(!(try h.stateExists()))
    }
}
