import Testing
import OrbrecCore
import OrbrecTestSupport

/// One desired fleet at a time: scaling, repairing and finishing returns.
@Suite("Planner: one fleet")
struct PlannerFleetTests {
    // MARK: Scale up

    @Test func scaleUpFromNothingProvisionsTheWholeCount() throws {
        let plan = try T.plan(T.input(Fixtures.desired(fleets: [Fixtures.fleet(count: 3)]), machines: []))
        #expect(T.shapes(plan) == [T.shape(.provision, .scaleUp, count: 3)])
        let action = try #require(plan.actions.first)
        #expect(action.provider == "here")
        #expect(action.template == "worker")
        #expect(action.templateHash == T.hash)
        #expect(action.surgeFirst == false)
        #expect(action.wave == nil && action.waves == nil)
        #expect(plan.configRevision == "test")
    }

    @Test func scaleUpProvisionsOnlyTheDeficit() throws {
        let plan = try T.plan(T.input(Fixtures.desired(fleets: [Fixtures.fleet(count: 5)]), machines: T.running(["m1", "m2"])))
        #expect(T.shapes(plan) == [T.shape(.provision, .scaleUp, count: 3)])
    }

    @Test func pendingMachinesCountTowardsTheFleet() throws {
        let machines = [Fixtures.machine("m1", state: .pending), Fixtures.machine("m2", state: .running)]
        let plan = try T.plan(T.input(Fixtures.desired(fleets: [Fixtures.fleet(count: 2)]), machines: machines))
        #expect(plan.actions.isEmpty)
    }

    @Test func inFlightRecordCountsAsPendingAndIsNotLost() throws {
        let inFlight = RecordedMachine(id: "m1", fleet: "workers", template: "worker", templateHash: T.hash, provider: "here",
                                       state: .pending, createdAt: .epoch, inFlight: true)
        let input = PlanInput(desired: Fixtures.desired(fleets: [Fixtures.fleet(count: 1)]), observed: ObservedState(),
                              recorded: [inFlight])
        let plan = try T.plan(input)
        #expect(plan.actions.isEmpty)
        #expect(plan.drift.isEmpty)
    }

    @Test func fleetAtItsCountPlansNothing() throws {
        let plan = try T.plan(T.input(Fixtures.desired(fleets: [Fixtures.fleet(count: 3)]), machines: T.running(["a", "b", "c"])))
        #expect(plan.actions.isEmpty)
        #expect(plan.drift.isEmpty)
        #expect(plan.warnings.isEmpty)
        #expect(plan.resourceVersions.keys.contains(ResourceID(.fleet, "workers")))
    }

    // MARK: Scale down

    @Test(arguments: [
        (FleetSpec.ScaleIn.newestFirst, ["m4", "m5"]),
        (FleetSpec.ScaleIn.oldestFirst, ["m1", "m2"]),
    ])
    func scaleDownHonoursScaleIn(scaleIn: FleetSpec.ScaleIn, expected: [String]) throws {
        // Created out of id order so that the order comes from createdAt, not the ids.
        let machines = [("m3", 30), ("m5", 50), ("m1", 10), ("m4", 40), ("m2", 20)].map {
            Fixtures.machine($0.0, createdAt: Int64($0.1))
        }
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 3, scaleIn: scaleIn)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.return, .scaleDown, machines: expected)])
    }

    @Test func scaleDownTiesOnCreatedAtAreBrokenById() throws {
        let machines = ["m3", "m1", "m2"].map { Fixtures.machine($0, createdAt: 7) }
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 1)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.return, .scaleDown, machines: ["m1", "m2"])])
    }

    @Test(arguments: FleetSpec.ScaleIn.allCases)
    func scaleDownReturnsOutdatedMachinesFirst(scaleIn: FleetSpec.ScaleIn) throws {
        // m3 is neither the newest nor the oldest, but it is of the old template.
        let machines = [
            Fixtures.machine("m1", createdAt: 1),
            Fixtures.machine("m3", templateHash: T.oldHash, createdAt: 3),
            Fixtures.machine("m5", createdAt: 5),
        ]
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 2, scaleIn: scaleIn)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.return, .scaleDown, machines: ["m3"])])
    }

    @Test(arguments: FleetSpec.ScaleIn.allCases)
    func scaleDownReturnsPendingBeforeRunning(scaleIn: FleetSpec.ScaleIn) throws {
        let machines = [
            Fixtures.machine("m1", createdAt: 1),
            Fixtures.machine("m3", state: .pending, createdAt: 3),
            Fixtures.machine("m5", createdAt: 5),
        ]
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 2, scaleIn: scaleIn)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.return, .scaleDown, machines: ["m3"])])
    }

    @Test func scaleDownPrefersOutdatedOverPending() throws {
        let machines = [
            Fixtures.machine("m1", templateHash: T.oldHash, createdAt: 1),
            Fixtures.machine("m2", state: .pending, createdAt: 2),
            Fixtures.machine("m3", createdAt: 3),
        ]
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 2)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.return, .scaleDown, machines: ["m1"])])
    }

    @Test func scaleToZeroReturnsEverything() throws {
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 0)])
        let plan = try T.plan(T.input(desired, machines: T.running(["b", "a", "c"])))
        #expect(T.shapes(plan) == [T.shape(.return, .scaleDown, machines: ["a", "b", "c"])])
    }

    // MARK: Lost machines

    @Test func recordedButNotObservedIsLostAndReplaced() throws {
        let gone = Fixtures.machine("m1", createdAt: 1)
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 2)])
        let input = T.input(desired, machines: [Fixtures.machine("m2", createdAt: 2)], extraRecords: [Fixtures.record(gone)])
        let plan = try T.plan(input)
        #expect(T.shapes(plan) == [T.shape(.replace, .machineLost, count: 1, machines: ["m1"])])
        #expect(plan.actions.first?.surgeFirst == false)
        #expect(plan.drift.map(\.kind) == [.lost])
        #expect(plan.drift.first?.machine == "m1")
    }

    @Test func machineReportedLostByTheProviderIsReplaced() throws {
        let machines = [Fixtures.machine("m1", state: .lost), Fixtures.machine("m2")]
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 2)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.replace, .machineLost, count: 1, machines: ["m1"])])
    }

    @Test func lostMachinesOfASurplusFleetAreJustReturned() throws {
        let gone = Fixtures.machine("m1", createdAt: 1)
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 1)])
        let input = T.input(desired, machines: [Fixtures.machine("m2", createdAt: 2)], extraRecords: [Fixtures.record(gone)])
        let plan = try T.plan(input)
        #expect(T.shapes(plan) == [T.shape(.return, .machineLost, machines: ["m1"])])
    }

    @Test func lostMachinesBeyondTheDeficitAreReturnedOldestReplacedFirst() throws {
        let lost = [("l3", 3), ("l1", 1), ("l2", 2)].map { Fixtures.record(Fixtures.machine($0.0, createdAt: Int64($0.1))) }
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 2)])
        let input = T.input(desired, machines: [Fixtures.machine("m9", createdAt: 9)], extraRecords: lost)
        let plan = try T.plan(input)
        #expect(T.shapes(plan) == [
            T.shape(.replace, .machineLost, count: 1, machines: ["l1"]),
            T.shape(.return, .machineLost, machines: ["l2", "l3"]),
        ])
    }

    @Test func lostAndSurplusTogether() throws {
        let gone = Fixtures.record(Fixtures.machine("m0", createdAt: 0))
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 1)])
        let input = T.input(desired, machines: T.running(["m1", "m2"], createdAt: 1), extraRecords: [gone])
        let plan = try T.plan(input)
        #expect(T.shapes(plan) == [
            T.shape(.return, .scaleDown, machines: ["m2"]),
            T.shape(.return, .machineLost, machines: ["m0"]),
        ])
    }

    @Test func recordAlreadyReturnedOrFailedIsHistoryNotLost() throws {
        let returned = Fixtures.record(Fixtures.machine("r1"), state: .returned)
        let failed = Fixtures.record(Fixtures.machine("f1"), state: .failed)
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 1)])
        let plan = try T.plan(T.input(desired, machines: T.running(["m1"]), extraRecords: [returned, failed]))
        #expect(plan.actions.isEmpty)
        #expect(plan.drift.isEmpty)
    }

    // MARK: Unhealthy machines

    @Test func unhealthyMachineIsReplacedSurgeFirst() throws {
        let machines = [Fixtures.machine("m1", state: .unhealthy), Fixtures.machine("m2")]
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 2)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.replace, .machineUnhealthy, count: 1, machines: ["m1"])])
        #expect(plan.actions.first?.surgeFirst == true)
        #expect(plan.drift.map(\.kind) == [.unhealthy])
    }

    @Test func unhealthyMachineIsKeptWhenReplaceUnhealthyIsOff() throws {
        let machines = [Fixtures.machine("m1", state: .unhealthy), Fixtures.machine("m2")]
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 2, replaceUnhealthy: false)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(plan.actions.isEmpty)
        #expect(plan.drift.map(\.kind) == [.unhealthy])
    }

    @Test func unhealthySurplusIsReturned() throws {
        let machines = [Fixtures.machine("m1", state: .unhealthy), Fixtures.machine("m2")]
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 1)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.return, .machineUnhealthy, machines: ["m1"])])
    }

    // MARK: Unfinished returns

    @Test func terminatingRecordStillObservedIsReturnedAgain() throws {
        let m1 = Fixtures.machine("m1", createdAt: 1)
        let m2 = Fixtures.machine("m2", createdAt: 2)
        let input = PlanInput(desired: Fixtures.desired(fleets: [Fixtures.fleet(count: 1)]),
                              observed: ObservedState(machines: [m1, m2]),
                              recorded: [Fixtures.record(m1, state: .terminating), Fixtures.record(m2)])
        let plan = try T.plan(input)
        #expect(T.shapes(plan) == [T.shape(.return, .returnIncomplete, machines: ["m1"])])
    }

    @Test func terminatingMachineDoesNotCountTowardsTheFleet() throws {
        let m1 = Fixtures.machine("m1")
        let input = PlanInput(desired: Fixtures.desired(fleets: [Fixtures.fleet(count: 1)]),
                              observed: ObservedState(machines: [m1]),
                              recorded: [Fixtures.record(m1, state: .terminating)])
        let plan = try T.plan(input)
        #expect(T.shapes(plan) == [
            T.shape(.return, .returnIncomplete, machines: ["m1"]),
            T.shape(.provision, .scaleUp, count: 1),
        ])
    }

    @Test func terminatingRecordThatDisappearedIsLost() throws {
        // The provider no longer has it: the return finished behind our back.
        let m1 = Fixtures.machine("m1")
        let input = PlanInput(desired: Fixtures.desired(fleets: [Fixtures.fleet(count: 0)]),
                              observed: ObservedState(),
                              recorded: [Fixtures.record(m1, state: .terminating)])
        let plan = try T.plan(input)
        #expect(T.shapes(plan) == [T.shape(.return, .machineLost, machines: ["m1"])])
    }

    // MARK: Template changes and rolling waves

    @Test func templateChangeRollsInWavesOfSurgePlusUnavailable() throws {
        let machines = (1...5).map { Fixtures.machine("m\($0)", templateHash: T.oldHash, createdAt: Int64($0)) }
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 5, maxSurge: 1, maxUnavailable: 1)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(plan.actions.allSatisfy { $0.verb == .replace && $0.reason == .templateChanged && $0.count == 1 })
        #expect(plan.actions.allSatisfy { $0.templateHash == T.hash })
        #expect(plan.actions.map(\.machines) == [["m1"], ["m2"], ["m3"], ["m4"], ["m5"]])
        #expect(plan.actions.map(\.wave) == [1, 1, 2, 2, 3])
        #expect(plan.actions.map(\.waves) == [3, 3, 3, 3, 3])
        #expect(plan.actions.map(\.surgeFirst) == [true, false, true, false, true])
    }

    @Test(arguments: [
        // (maxSurge, maxUnavailable, waves, surgeFirst)
        (0, 2, [1, 1, 2, 2], [false, false, false, false]),
        (2, 0, [1, 1, 2, 2], [true, true, true, true]),
        (1, 0, [1, 2, 3, 4], [true, true, true, true]),
        (2, 2, [1, 1, 1, 1], [true, true, false, false]),
    ])
    func waveShapesFollowTheUpdateStrategy(maxSurge: Int, maxUnavailable: Int, waves: [Int], surgeFirst: [Bool]) throws {
        let machines = (1...4).map { Fixtures.machine("m\($0)", templateHash: T.oldHash, createdAt: Int64($0)) }
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 4, maxSurge: maxSurge, maxUnavailable: maxUnavailable)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(plan.actions.map(\.wave) == waves)
        #expect(plan.actions.map(\.waves) == Array(repeating: waves.last, count: 4))
        #expect(plan.actions.map(\.surgeFirst) == surgeFirst)
    }

    @Test func onlyOutdatedMachinesAreRolled() throws {
        let machines = [
            Fixtures.machine("m1", createdAt: 1),
            Fixtures.machine("m2", templateHash: T.oldHash, createdAt: 2),
            Fixtures.machine("m3", createdAt: 3),
        ]
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 3)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.replace, .templateChanged, count: 1, machines: ["m2"])])
        #expect(plan.actions.first?.wave == 1 && plan.actions.first?.waves == 1)
    }

    @Test func changingTheTemplateCommandChangesItsHash() {
        let before = Fixtures.template()
        let after = Fixtures.template(command: ["sleep", "60"])
        let limited = Fixtures.template(maxMachines: 3)
        #expect(before.specHash != after.specHash)
        #expect(before.specHash == limited.specHash, "maxMachines is a limit, not part of a machine")
    }

    @Test func maxMachinesClipsSurgeRoom() throws {
        let machines = (1...4).map { Fixtures.machine("m\($0)", templateHash: T.oldHash, createdAt: Int64($0)) }
        // Room for one extra machine: maxSurge 2 is clipped to 1.
        let desired = Fixtures.desired(templates: [Fixtures.template(maxMachines: 5)],
                                       fleets: [Fixtures.fleet(count: 4, maxSurge: 2, maxUnavailable: 0)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(plan.actions.map(\.wave) == [1, 2, 3, 4])
        #expect(plan.actions.map(\.surgeFirst) == [true, true, true, true])
    }

    @Test func maxMachinesAtTheLimitRollsWithoutSurge() throws {
        let machines = (1...4).map { Fixtures.machine("m\($0)", templateHash: T.oldHash, createdAt: Int64($0)) }
        let desired = Fixtures.desired(templates: [Fixtures.template(maxMachines: 4)],
                                       fleets: [Fixtures.fleet(count: 4, maxSurge: 2, maxUnavailable: 1)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(plan.actions.map(\.wave) == [1, 2, 3, 4])
        #expect(plan.actions.map(\.surgeFirst) == [false, false, false, false])
    }

    @Test func scaleDownAndRollTogether() throws {
        // Two outdated machines, count 2 of 3: one outdated leaves, the other is replaced.
        let machines = [
            Fixtures.machine("m1", templateHash: T.oldHash, createdAt: 1),
            Fixtures.machine("m2", templateHash: T.oldHash, createdAt: 2),
            Fixtures.machine("m3", createdAt: 3),
        ]
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 2)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [
            T.shape(.return, .scaleDown, machines: ["m2"]),
            T.shape(.replace, .templateChanged, count: 1, machines: ["m1"]),
        ])
    }

    @Test func scaleUpAndRollTogether() throws {
        let machines = [Fixtures.machine("m1", templateHash: T.oldHash, createdAt: 1)]
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 3)])
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [
            T.shape(.provision, .scaleUp, count: 2),
            T.shape(.replace, .templateChanged, count: 1, machines: ["m1"]),
        ])
    }

    // MARK: maxMachines

    @Test func maxMachinesOverTheLimitFailsPerFleet() {
        let desired = Fixtures.desired(
            templates: [Fixtures.template(maxMachines: 5)],
            fleets: [Fixtures.fleet("a", count: 3), Fixtures.fleet("b", count: 3), Fixtures.fleet("c", count: 0)])
        let failure = T.failure(T.input(desired, machines: []))
        #expect(T.codes(failure) == ["max-machines", "max-machines"])
        #expect(failure?.diagnostics.allSatisfy { $0.severity == .error } == true)
        #expect(failure?.diagnostics.contains { $0.message.contains("Fleet/a") } == true)
        #expect(failure?.diagnostics.contains { $0.message.contains("Fleet/b") } == true)
    }

    @Test func maxMachinesAtTheLimitIsAllowed() throws {
        let desired = Fixtures.desired(
            templates: [Fixtures.template(maxMachines: 6)],
            fleets: [Fixtures.fleet("a", count: 3), Fixtures.fleet("b", count: 3)])
        let plan = try T.plan(T.input(desired, machines: []))
        #expect(T.shapes(plan) == [
            T.shape(.provision, .scaleUp, count: 3, fleet: "a"),
            T.shape(.provision, .scaleUp, count: 3, fleet: "b"),
        ])
    }

    @Test func maxMachinesCountsOnlyFleetsOfThatTemplate() throws {
        let desired = Fixtures.desired(
            templates: [Fixtures.template(maxMachines: 3), Fixtures.template("other")],
            fleets: [Fixtures.fleet("a", count: 3), Fixtures.fleet("b", template: "other", count: 10)])
        let plan = try T.plan(T.input(desired, machines: []))
        #expect(plan.actions.map(\.count) == [3, 10])
    }
}
