import Testing
import OrbrecCore
import OrbrecTestSupport

/// The planner across fleets: pruning, guards, unreachable providers, drift,
/// determinism, resource versions and the plan summary.
@Suite("Planner: state")
struct PlannerStateTests {
    // MARK: Pruning

    @Test func machinesOfARemovedFleetAreReturnedPerProvider() throws {
        let there = Fixtures.template(provider: "there")
        let machines = [
            Fixtures.machine("o2", fleet: "old"),
            Fixtures.machine("t1", fleet: "old", template: there),
            Fixtures.machine("o1", fleet: "old"),
        ]
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 0)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [
            T.shape(.return, .removedFromConfig, machines: ["o1", "o2"], fleet: "old"),
            T.shape(.return, .removedFromConfig, machines: ["t1"], fleet: "old"),
        ])
        #expect(plan.actions.map(\.provider) == ["here", "there"])
        #expect(plan.resourceVersions[ResourceID(.fleet, "old")] != nil)
    }

    @Test func removedFleetLostAndTerminatingMachinesAreReturnedToo() throws {
        let lost = Fixtures.machine("l1", fleet: "old")
        let ending = Fixtures.machine("e1", fleet: "old")
        let input = PlanInput(desired: Fixtures.desired(fleets: [Fixtures.fleet(count: 0)]),
                              observed: ObservedState(machines: [ending]),
                              recorded: [Fixtures.record(lost), Fixtures.record(ending, state: .terminating)])
        let plan = try T.plan(input)
        #expect(T.shapes(plan) == [T.shape(.return, .removedFromConfig, machines: ["e1", "l1"], fleet: "old")])
    }

    @Test func preventDestroyRefusesToPruneAFleetWithMachines() {
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 0)])
        let known = [KnownResource(id: ResourceID(.fleet, "old"), annotations: T.preventDestroy)]
        let failure = T.failure(T.input(desired, machines: T.running(["o1"], fleet: "old"), known: known))
        #expect(T.codes(failure) == ["prevent-destroy"])
    }

    @Test func preventDestroyAppliesWhenTheFleetHasNoMachinesLeft() {
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 0)])
        let known = [KnownResource(id: ResourceID(.fleet, "old"), annotations: T.preventDestroy)]
        let failure = T.failure(T.input(desired, machines: [], known: known))
        #expect(T.codes(failure) == ["prevent-destroy"])
    }

    @Test func preventDestroyOnlyWhenTheAnnotationIsTrue() throws {
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 0)])
        let known = [KnownResource(id: ResourceID(.fleet, "old"), annotations: [Metadata.preventDestroyAnnotation: "false"])]
        let plan = try T.plan(T.input(desired, machines: T.running(["o1"], fleet: "old"), known: known))
        #expect(T.shapes(plan) == [T.shape(.return, .removedFromConfig, machines: ["o1"], fleet: "old")])
    }

    @Test func preventDestroyDoesNotStopAFleetStillInTheConfiguration() throws {
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 0, annotations: T.preventDestroy)])
        let known = [KnownResource(id: ResourceID(.fleet, "workers"), annotations: T.preventDestroy)]
        let plan = try T.plan(T.input(desired, machines: T.running(["m1"]), known: known))
        #expect(T.shapes(plan) == [T.shape(.return, .scaleDown, machines: ["m1"])])
    }

    // MARK: Empty configuration

    @Test func emptyConfigurationWithMachinesIsRefused() {
        let failure = T.failure(T.input(DesiredState(), machines: T.running(["m1"])))
        #expect(T.codes(failure) == ["empty-configuration"])
    }

    @Test func emptyConfigurationWithOnlyKnownResourcesIsRefused() {
        let known = [KnownResource(id: ResourceID(.provider, "here"))]
        let failure = T.failure(T.input(DesiredState(), machines: [], known: known))
        #expect(T.codes(failure) == ["empty-configuration"])
    }

    @Test func emptyConfigurationWithOnlyALostMachineIsRefused() {
        let lost = Fixtures.record(Fixtures.machine("m1"))
        let failure = T.failure(T.input(DesiredState(), machines: [], extraRecords: [lost]))
        #expect(T.codes(failure) == ["empty-configuration"])
    }

    @Test func allowEmptyReturnsEverything() throws {
        let machines = T.running(["a2", "a1"], fleet: "a") + T.running(["b1"], fleet: "b")
        let known = [KnownResource(id: ResourceID(.fleet, "a")), KnownResource(id: ResourceID(.fleet, "b"))]
        let plan = try T.plan(T.input(DesiredState(), machines: machines, known: known, allowEmpty: true))
        #expect(T.shapes(plan) == [
            T.shape(.return, .removedFromConfig, machines: ["a1", "a2"], fleet: "a"),
            T.shape(.return, .removedFromConfig, machines: ["b1"], fleet: "b"),
        ])
    }

    @Test func emptyConfigurationAndEmptyStateIsAnEmptyPlan() throws {
        let plan = try T.plan(T.input(DesiredState(), machines: []))
        #expect(plan.actions.isEmpty)
        #expect(plan.resourceVersions.isEmpty)
    }

    // MARK: Unreachable providers

    @Test func unreachableProviderLeavesItsFleetAloneWithAWarning() throws {
        let m1 = Fixtures.machine("m1")
        // m1 is recorded but not observed: its provider could not be asked, so it is not lost.
        let input = PlanInput(desired: Fixtures.desired(fleets: [Fixtures.fleet(count: 3)]),
                              observed: ObservedState(unreachableProviders: ["here": "connection refused"]),
                              recorded: [Fixtures.record(m1)])
        let plan = try T.plan(input)
        #expect(plan.actions.isEmpty)
        #expect(plan.drift.isEmpty)
        #expect(plan.warnings.map(\.code) == ["provider-unreachable"])
        #expect(plan.warnings.first?.severity == .warning)
        #expect(plan.warnings.first?.message.contains("connection refused") == true)
        #expect(plan.resourceVersions[ResourceID(.fleet, "workers")] == nil)
    }

    @Test func recordedMachinesOfAnUnreachableProviderAreNotLost() {
        let m1 = Fixtures.machine("m1")
        let merged = FleetMachine.merge(observed: ObservedState(unreachableProviders: ["here": "timeout"]),
                                        recorded: [Fixtures.record(m1)])
        #expect(merged.map(\.state) == [.running])
        let reachable = FleetMachine.merge(observed: ObservedState(), recorded: [Fixtures.record(m1)])
        #expect(reachable.map(\.state) == [.lost])
    }

    @Test func otherProvidersAreStillPlanned() throws {
        let desired = Fixtures.desired(
            providers: [Fixtures.provider(), Fixtures.provider("there")],
            templates: [Fixtures.template(), Fixtures.template("far", provider: "there")],
            fleets: [Fixtures.fleet("near", count: 2), Fixtures.fleet("remote", template: "far", count: 2)])
        let input = PlanInput(desired: desired, observed: ObservedState(unreachableProviders: ["there": "timeout"]))
        let plan = try T.plan(input)
        #expect(T.shapes(plan) == [T.shape(.provision, .scaleUp, count: 2, fleet: "near")])
        #expect(plan.warnings.map(\.code) == ["provider-unreachable"])
    }

    @Test func removedFleetOnAnUnreachableProviderIsNotPruned() throws {
        let far = Fixtures.template("far", provider: "there")
        let m1 = Fixtures.machine("m1", fleet: "old", template: far)
        let input = PlanInput(desired: Fixtures.desired(fleets: [Fixtures.fleet(count: 0)]),
                              observed: ObservedState(unreachableProviders: ["there": "timeout"]),
                              recorded: [Fixtures.record(m1)])
        let plan = try T.plan(input)
        #expect(plan.actions.isEmpty)
        #expect(plan.warnings.map(\.code) == ["provider-unreachable"])
    }

    // MARK: Drift

    @Test func driftReportsLostUnrecordedAndUnhealthyMachines() throws {
        let lost = Fixtures.machine("a-lost", createdAt: 1)
        let stray = Fixtures.machine("b-stray", createdAt: 2)
        let sick = Fixtures.machine("c-sick", state: .unhealthy, createdAt: 3)
        let fine = Fixtures.machine("d-fine", createdAt: 4)
        let input = PlanInput(desired: Fixtures.desired(fleets: [Fixtures.fleet(count: 4)]),
                              observed: ObservedState(machines: [stray, sick, fine]),
                              recorded: [Fixtures.record(lost), Fixtures.record(sick), Fixtures.record(fine)])
        let plan = try T.plan(input)
        #expect(plan.drift.map(\.kind) == [.lost, .unrecorded, .unhealthy])
        #expect(plan.drift.map(\.machine) == ["a-lost", "b-stray", "c-sick"])
        #expect(plan.drift.allSatisfy { $0.resource == ResourceID(.fleet, "workers") })
        // The stray machine is adopted: it counts, so only the lost and unhealthy ones are replaced.
        #expect(T.shapes(plan) == [
            T.shape(.replace, .machineLost, count: 1, machines: ["a-lost"]),
            T.shape(.replace, .machineUnhealthy, count: 1, machines: ["c-sick"]),
        ])
    }

    // MARK: Determinism

    static func busyInput() -> PlanInput {
        let desired = Fixtures.desired(
            providers: [Fixtures.provider(), Fixtures.provider("there")],
            templates: [Fixtures.template(), Fixtures.template("far", provider: "there")],
            fleets: [Fixtures.fleet("a", count: 2), Fixtures.fleet("b", template: "far", count: 4, maxSurge: 1, maxUnavailable: 1),
                     Fixtures.fleet("c", count: 1, scaleIn: .oldestFirst)])
        let far = Fixtures.template("far", provider: "there")
        let observed = [
            Fixtures.machine("a1", fleet: "a", createdAt: 5), Fixtures.machine("a2", fleet: "a", state: .unhealthy, createdAt: 6),
            Fixtures.machine("a3", fleet: "a", state: .pending, createdAt: 6),
            Fixtures.machine("b1", fleet: "b", template: far, templateHash: "x", createdAt: 1),
            Fixtures.machine("b2", fleet: "b", template: far, templateHash: "x", createdAt: 2),
            Fixtures.machine("b3", fleet: "b", template: far, createdAt: 3),
            Fixtures.machine("c1", fleet: "c", createdAt: 9), Fixtures.machine("c2", fleet: "c", createdAt: 8),
            Fixtures.machine("c3", fleet: "c", createdAt: 7),
            Fixtures.machine("z1", fleet: "gone"), Fixtures.machine("z2", fleet: "gone", template: far),
        ]
        var recorded = observed.filter { $0.id != "a3" && $0.id != "z2" }.map { Fixtures.record($0) }
        recorded.append(Fixtures.record(Fixtures.machine("a0", fleet: "a")))
        recorded.append(Fixtures.record(Fixtures.machine("b0", fleet: "b", template: far)))
        return PlanInput(desired: desired, observed: ObservedState(machines: observed), recorded: recorded)
    }

    @Test func samePlanForTheSameInput() throws {
        let input = Self.busyInput()
        let first = try T.plan(input)
        let second = try T.plan(input)
        #expect(first == second)
        #expect(!first.actions.isEmpty)
    }

    @Test(arguments: [1, 2, 3, 42, 1234] as [UInt64])
    func samePlanForShuffledInput(seed: UInt64) throws {
        var input = Self.busyInput()
        let expected = try T.plan(input)
        var rng = SplitMix64(seed: seed)
        input.observed.machines.shuffle(using: &rng)
        input.recorded.shuffle(using: &rng)
        let desired = input.desired
        input.desired = DesiredState(providers: desired.providers.values.shuffled(using: &rng),
                                     templates: desired.templates.values.shuffled(using: &rng),
                                     fleets: desired.fleets.values.shuffled(using: &rng), revision: desired.revision)
        #expect(try T.plan(input) == expected)
    }

    // MARK: Resource versions

    @Test func resourceVersionTracksTheFleetsOwnMachinesAndSpec() throws {
        func versions(countA: Int = 1, machinesA: [ObservedMachine], machinesB: [ObservedMachine]) throws -> (a: String?, b: String?) {
            let desired = Fixtures.desired(fleets: [Fixtures.fleet("a", count: countA), Fixtures.fleet("b", count: 1)])
            let plan = try T.plan(T.input(desired, machines: machinesA + machinesB))
            return (plan.resourceVersions[ResourceID(.fleet, "a")], plan.resourceVersions[ResourceID(.fleet, "b")])
        }
        let a = T.running(["a1"], fleet: "a")
        let b = T.running(["b1"], fleet: "b")
        let base = try versions(machinesA: a, machinesB: b)
        #expect(base.a != nil && base.b != nil)
        #expect(base.a != base.b)

        // Another machine in b: b changes, a does not.
        let moreB = try versions(machinesA: a, machinesB: b + T.running(["b2"], fleet: "b"))
        #expect(moreB.a == base.a)
        #expect(moreB.b != base.b)

        // A machine of a changes state: a changes, b does not.
        let sickA = try versions(machinesA: [Fixtures.machine("a1", fleet: "a", state: .unhealthy)], machinesB: b)
        #expect(sickA.a != base.a)
        #expect(sickA.b == base.b)

        // A machine of a on an older template.
        let oldA = try versions(machinesA: [Fixtures.machine("a1", fleet: "a", templateHash: T.oldHash)], machinesB: b)
        #expect(oldA.a != base.a)
        #expect(oldA.b == base.b)

        // a's spec changes.
        let biggerA = try versions(countA: 2, machinesA: a, machinesB: b)
        #expect(biggerA.a != base.a)
        #expect(biggerA.b == base.b)

        // Nothing changes: the same version.
        let again = try versions(machinesA: a, machinesB: b)
        #expect(again.a == base.a && again.b == base.b)
    }

    @Test func resourceVersionChangesWithTheTemplate() throws {
        func version(_ template: TemplateSpec) throws -> String? {
            let desired = Fixtures.desired(templates: [template], fleets: [Fixtures.fleet(count: 1)])
            return try T.plan(T.input(desired, machines: [Fixtures.machine("m1", template: template)])).resourceVersions[ResourceID(.fleet, "workers")]
        }
        #expect(try version(Fixtures.template()) != version(Fixtures.template(command: ["sleep", "1"])))
    }

    @Test func everyActionCarriesItsResourceVersion() throws {
        let plan = try T.plan(Self.busyInput())
        for action in plan.actions {
            #expect(action.resourceVersion == plan.resourceVersions[action.resource], "\(action.resource)")
        }
        #expect(plan.touchedResources == Set(plan.actions.map(\.resource)))
    }

    @Test func resourceVersionIsIndependentOfMachineOrder() {
        let machines = FleetMachine.merge(observed: ObservedState(machines: T.running(["a", "b", "c"])), recorded: [])
        let forward = Planner.resourceVersion(specHash: "s", machines: machines)
        let backward = Planner.resourceVersion(specHash: "s", machines: machines.reversed())
        #expect(forward == backward)
        #expect(forward != Planner.resourceVersion(specHash: "t", machines: machines))
        #expect(forward.count == 16)
    }

    // MARK: Summary

    @Test func summaryCountsMachinesPerVerbWithZeros() throws {
        let machines = [
            Fixtures.machine("m1", fleet: "a", templateHash: T.oldHash, createdAt: 1),
            Fixtures.machine("m2", fleet: "a", templateHash: T.oldHash, createdAt: 2),
            Fixtures.machine("s1", fleet: "b"), Fixtures.machine("s2", fleet: "b"),
        ]
        let desired = Fixtures.desired(fleets: [Fixtures.fleet("a", count: 2), Fixtures.fleet("b", count: 0),
                                                Fixtures.fleet("c", count: 3)])
        let plan = try T.plan(T.input(desired, machines: machines))
        let summary = plan.summary
        #expect(Set(summary.keys) == Set(Verb.allCases))
        #expect(summary[.provision] == 3)
        #expect(summary[.return] == 2)
        #expect(summary[.replace] == 2)
        for verb in [Verb.submit, .cancel, .retry, .deadLetter] {
            #expect(summary[verb] == 0)
        }
    }

    @Test func summaryOfAnEmptyPlanIsAllZeros() {
        let summary = Plan().summary
        #expect(summary.count == Verb.allCases.count)
        #expect(summary.values.allSatisfy { $0 == 0 })
        #expect(Plan().isEmpty)
    }
}
