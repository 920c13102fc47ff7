import Testing
import OrbrecCore
import OrbrecTestSupport

/// The model the properties rely on: if it were wrong, they would prove nothing.
@Suite("Model world")
struct ModelWorldTests {
    let template = Fixtures.template()
    var desired: DesiredState { Fixtures.desired(fleets: [Fixtures.fleet(count: 2)]) }

    func machine(_ id: String, hash: String? = nil, observed: MachineState? = .running,
                 recorded: MachineState? = .running) -> ModelWorld.Machine {
        ModelWorld.Machine(id: id, fleet: "workers", template: "worker", templateHash: hash ?? template.specHash,
                           provider: "here", createdAt: 0, observed: observed, recorded: recorded)
    }

    func action(_ verb: Verb, count: Int = 0, machines: [String] = []) -> PlannedAction {
        PlannedAction(verb: verb, resource: ResourceID(.fleet, "workers"), reason: .scaleUp, provider: "here",
                      template: "worker", templateHash: template.specHash, count: count, machines: machines)
    }

    @Test func applyCarriesOutEachVerb() {
        var world = ModelWorld(machines: [machine("a", hash: "old"), machine("b"), machine("c")])
        world.apply(Plan(actions: [action(.return, machines: ["c"]), action(.replace, count: 1, machines: ["a"]),
                                   action(.provision, count: 1)]))
        #expect(world.machines.map(\.id) == ["b", "new1", "new2"])
        #expect(world.machines.allSatisfy { $0.templateHash == template.specHash && $0.observed == .running })
        #expect(!world.isConverged(to: desired), "three machines for a count of two")
    }

    @Test func settleFinishesBootingAndAdoptsUnrecordedMachines() {
        var world = ModelWorld(machines: [machine("a", observed: .pending, recorded: .pending), machine("b", recorded: nil)])
        #expect(!world.isConverged(to: desired))
        world.settle()
        #expect(world.isConverged(to: desired))
    }

    @Test func convergenceNeedsCurrentRunningMachinesOfDesiredFleetsOnly() {
        #expect(ModelWorld(machines: [machine("a"), machine("b")]).isConverged(to: desired))
        #expect(!ModelWorld(machines: [machine("a"), machine("b", hash: "old")]).isConverged(to: desired))
        #expect(!ModelWorld(machines: [machine("a"), machine("b", observed: .unhealthy)]).isConverged(to: desired))
        #expect(!ModelWorld(machines: [machine("a"), machine("b", observed: nil)]).isConverged(to: desired))
        var stray = machine("c")
        stray.fleet = "gone"
        #expect(!ModelWorld(machines: [machine("a"), machine("b"), stray]).isConverged(to: desired))
    }

    @Test func inputSplitsObservedAndRecorded() {
        let world = ModelWorld(machines: [machine("a", observed: nil), machine("b", recorded: nil)])
        let input = world.input(desired)
        #expect(input.observed.machines.map(\.id) == ["b"])
        #expect(input.recorded.map(\.id) == ["a"])
    }

    @Test func checksFlagABadPlan() {
        let world = ModelWorld(machines: [machine("a"), machine("b")])
        // A machine returned twice, one not in the input, and an empty return.
        let problems = PlannerPropertyTests.problems(
            of: Plan(actions: [action(.return, machines: ["a"]), action(.replace, count: 1, machines: ["a"]),
                               action(.return, machines: ["zz"]), action(.return)]),
            in: world, desired: desired)
        #expect(problems.contains("a is in more than one action"))
        #expect(problems.contains("return names zz, which is not in the input"))
        #expect(problems.contains { $0.hasPrefix("bad return") })
        #expect(problems.count >= 3)
    }
}
