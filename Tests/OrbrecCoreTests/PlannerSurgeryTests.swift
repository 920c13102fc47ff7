import Testing
import OrbrecCore
import OrbrecTestSupport
import PropertyBased

/// `--target`, `--replace` and `destroy` over random worlds: a targeted plan is the full plan
/// cut to the targets and what they depend on, destroy returns every machine held, a
/// requested replacement is planned exactly once.
@Suite("Planner surgery")
struct PlannerSurgeryTests {
    static let cases = 200

    static func plan(_ input: PlanInput, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Plan? {
        do {
            return try Planner().plan(input)
        } catch {
            Issue.record("no plan: \(error.diagnostics.map(\.rendered))", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test(.shrinking) func targetedPlanIsTheFullPlanCutToTheClosure() async {
        let input = zip(PlannerPropertyTests.scenarios, Gen.bool.array(of: 3))
        await propertyCheck(count: Self.cases, input: input) { scenario, picks in
            let desired = scenario.desired
            let fleets = desired.fleets.keys.sorted().enumerated().filter { picks[$0.offset] }.map { ResourceID(.fleet, $0.element) }
            guard !fleets.isEmpty else { return }
            let full = scenario.world.input(desired)
            var targeted = full
            targeted.targets = Set(fleets)
            guard let whole = Self.plan(full), let part = Self.plan(targeted) else { return }
            var closure = Set(fleets)
            for fleet in fleets {
                let template = desired.fleets[fleet.name]!.template
                closure.insert(ResourceID(.template, template))
                closure.insert(ResourceID(.provider, desired.templates[template]!.provider))
            }
            #expect(part.actions == whole.actions.filter { closure.contains($0.resource) })
            #expect(part.targeted == closure.sorted())
            #expect(part.warnings.contains { $0.code == "partial-plan" })
            #expect(part.drift.allSatisfy { closure.contains($0.resource) })
        }
    }

    @Test(.shrinking) func destroyReturnsEveryHeldMachineAndProvisionsNothing() async {
        await propertyCheck(count: Self.cases, input: PlannerPropertyTests.scenarios) { scenario in
            let world = scenario.world
            var input = world.input(scenario.desired)
            input.destroy = true
            input.replaceMachines = ["ignored-by-destroy"]
            guard let plan = Self.plan(input) else { return }
            #expect(plan.actions.allSatisfy { $0.verb == .return && $0.reason == .destroy })
            let returned = plan.actions.flatMap(\.machines)
            #expect(returned.count == Set(returned).count, "a machine returned twice: \(returned)")
            let held = FleetMachine.merge(observed: input.observed, recorded: input.recorded).map(\.id)
            #expect(Set(returned) == Set(held))
        }
    }

    @Test(.shrinking) func requestedReplacementIsPlannedOnce() async {
        let input = zip(PlannerPropertyTests.scenarios, Gen.int(in: 0...20))
        await propertyCheck(count: Self.cases, input: input) { scenario, pick in
            let desired = scenario.desired
            var input = scenario.world.input(desired)
            let candidates = FleetMachine.merge(observed: input.observed, recorded: input.recorded)
                .filter { ($0.state.isLive || $0.state == .unhealthy) && desired.fleets[$0.fleet] != nil }
            guard !candidates.isEmpty else { return }
            let chosen = candidates[pick % candidates.count]
            input.replaceMachines = [chosen.id]
            guard let plan = Self.plan(input) else { return }
            for problem in PlannerPropertyTests.problems(of: plan, in: scenario.world, desired: desired) {
                Issue.record(Comment(rawValue: problem))
            }
            let touching = plan.actions.filter { $0.machines.contains(chosen.id) }
            #expect(touching.count == 1, "\(chosen.id) touched by \(touching.map(\.detail))")
            if let action = touching.first {
                // A fleet that is too large may return the machine instead: it is gone either way.
                #expect(action.verb == .replace || (action.verb == .return && action.reason == .scaleDown) || action.reason == .machineUnhealthy,
                        "\(action.verb) \(action.reason)")
            }
        }
    }

    @Test func unknownTargetsAndMachinesAreRefused() {
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 1)])
        var input = T.input(desired, machines: T.running(["m1"]))
        input.targets = [ResourceID(.fleet, "nope")]
        input.replaceMachines = ["m9"]
        #expect(T.codes(T.failure(input)).sorted() == ["unknown-machine", "unknown-target"])
    }

    @Test func replacingAMachineOfARemovedFleetIsRefused() {
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 1)])
        var input = T.input(desired, machines: T.running(["m1"]) + T.running(["g1"], fleet: "gone"))
        input.replaceMachines = ["g1"]
        #expect(T.codes(T.failure(input)) == ["cannot-replace"])
    }

    @Test func requestedReplacementSurgesWhenTheStrategyAllows() throws {
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 2)])
        var input = T.input(desired, machines: T.running(["m1", "m2"]))
        input.replaceMachines = ["m2"]
        let plan = try T.plan(input)
        #expect(T.shapes(plan) == [T.shape(.replace, .replaceRequested, count: 1, machines: ["m2"])])
        #expect(plan.actions.first?.surgeFirst == true)
    }
}
