import Testing
import OrbrecCore
import OrbrecTestSupport

/// Regressions: planner bugs found while writing the property tests, each fixed since.
@Suite("Planner regressions")
struct PlannerBugTests {
    /// Was: `planFleet` (Planner+Fleet.swift) gives every action of a desired fleet
    /// `provider: template.provider`, even for machines that live on another provider. When a
    /// template moves from provider `here` to `there`, its old machines are on `here`, but the
    /// replace/return actions name `there`; the executor (`ActionExecutor.execute`) looks up
    /// `registry[action.provider]` and sends the return to `there`, which does not hold them:
    /// the old machines are never given back. (`pruneFleet` groups by the machine's provider
    /// and gets this right.)
    @Test func returnsGoToTheProviderThatHoldsTheMachine() throws {
        let before = Fixtures.template(provider: "here")
        let after = Fixtures.template(provider: "there")
        let machines = [Fixtures.machine("m1", template: before, createdAt: 1),
                        Fixtures.machine("m2", template: before, createdAt: 2),
                        Fixtures.machine("m3", template: before, createdAt: 3)]
        let desired = Fixtures.desired(providers: [Fixtures.provider("here"), Fixtures.provider("there")],
                                       templates: [after], fleets: [Fixtures.fleet(count: 2)])
        let plan = try T.plan(T.input(desired, machines: machines))
        // Today: return scale-down [m3] and replace m1, m2 — all with provider "there".
        #expect(Set(plan.actions.flatMap(\.machines)) == ["m1", "m2", "m3"])
        for action in plan.actions where !action.machines.isEmpty {
            #expect((action.returnProvider ?? action.provider) == "here",
                    "\(action.verb.rawValue) \(action.reason) of \(action.machines) is sent to \(action.provider), but they live on here")
        }
    }

    /// Was: the configuration loader rejects maxSurge 0 with maxUnavailable 0 ("a template change
    /// could never roll out"), but `planFleet` clips maxSurge to the template's surge room
    /// (`surgeRoom`, Planner+Guards.swift) and so produces exactly that state when a template's
    /// fleets already ask for `maxMachines`: with the default strategy (maxSurge 1,
    /// maxUnavailable 0) the wave size becomes 0 and outdated machines are never replaced —
    /// the plan is empty, with no warning, while `status` shows the template OutOfSync forever.
    /// Expected: the rollout still happens without surge (one machine at a time), or at least
    /// the plan says why it cannot.
    @Test func templateChangeAtMaxMachinesWarnsInsteadOfStallingSilently() throws {
        let machines = [Fixtures.machine("m1", templateHash: T.oldHash, createdAt: 1),
                        Fixtures.machine("m2", templateHash: T.oldHash, createdAt: 2)]
        let desired = Fixtures.desired(templates: [Fixtures.template(maxMachines: 2)],
                                       fleets: [Fixtures.fleet(count: 2, maxSurge: 1, maxUnavailable: 0)])
        let plan = try T.plan(T.input(desired, machines: machines))
        let rolled = plan.actions.filter { $0.reason == .templateChanged }
        #expect(!rolled.isEmpty || !plan.warnings.isEmpty,
                "two machines of an outdated template, and the plan neither replaces them nor warns")
        #expect(rolled.allSatisfy { !$0.surgeFirst }, "there is no room under maxMachines to surge")
    }

    /// Was: `surgeRoom` (Planner+Guards.swift) gives *each* fleet of a template the whole room
    /// left under `maxMachines`. The engine runs different resources in parallel
    /// (`Reconciler.execute`), so two fleets surging at once exceed the limit: template
    /// maxMachines 5, fleets a=2 and b=2 (room 1), both rolling with maxSurge 1 → each fleet's
    /// wave 1 creates a machine first → up to 6 machines of a template capped at 5.
    @Test func surgeRoomIsSharedByTheFleetsOfATemplate() throws {
        let machines = ["a", "b"].flatMap { fleet in
            (1...2).map { Fixtures.machine("\(fleet)\($0)", fleet: fleet, templateHash: T.oldHash, createdAt: Int64($0)) }
        }
        let desired = Fixtures.desired(templates: [Fixtures.template(maxMachines: 5)],
                                       fleets: [Fixtures.fleet("a", count: 2), Fixtures.fleet("b", count: 2)])
        let plan = try T.plan(T.input(desired, machines: machines))
        // The most machines one wave of each fleet may add at once, summed over the fleets.
        var surgeAtOnce = 0
        for fleet in ["a", "b"] {
            let waves = Dictionary(grouping: plan.actions.filter { $0.resource.name == fleet && $0.surgeFirst }, by: { $0.wave ?? 0 })
            surgeAtOnce += waves.values.map(\.count).max() ?? 0
        }
        #expect(surgeAtOnce <= 1, "4 desired + \(surgeAtOnce) surging machines exceed maxMachines 5")
    }

    /// Was: an unhealthy machine is replaced surge-first (`replace.surgeFirst = machine.state ==
    /// .unhealthy` in `planFleet`) without looking at `maxMachines`. The unhealthy machine is still
    /// held, so with maxMachines 2 and a fleet of 2, the replacement makes 3 machines of the
    /// template exist — the limit the template-change waves carefully respect.
    @Test func unhealthyReplacementRespectsMaxMachines() throws {
        let machines = [Fixtures.machine("m1", state: .unhealthy, createdAt: 1), Fixtures.machine("m2", createdAt: 2)]
        let desired = Fixtures.desired(templates: [Fixtures.template(maxMachines: 2)], fleets: [Fixtures.fleet(count: 2)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.replace, .machineUnhealthy, count: 1, machines: ["m1"])])
        #expect(plan.actions.first?.surgeFirst == false, "surging would hold 3 machines of a template capped at 2")
    }
}
