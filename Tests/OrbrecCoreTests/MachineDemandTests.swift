import Testing
import OrbrecCore
import OrbrecTestSupport

/// Machine requests as fleets of their own, and return requests as machines every plan returns.
@Suite("Planner: machine requests and returns")
struct MachineDemandTests {
    static func demand(_ id: String = "req-abc", count: Int, requested: Int? = nil, template: String = "worker") -> MachineDemand {
        MachineDemand(id: id, template: template, requested: requested ?? count, count: count, actor: "ana@host", createdAt: .epoch)
    }

    @Test func aRequestIsProvisionedAsAFleetNamedForIt() throws {
        let desired = Fixtures.desired(fleets: []).applying(demands: [Self.demand(count: 3)], returning: [])
        let plan = try T.plan(T.input(desired, machines: []))
        #expect(plan.actions.count == 1)
        let action = try #require(plan.actions.first)
        #expect(action.verb == .provision && action.count == 3 && action.reason == .scaleUp)
        #expect(action.resource == ResourceID(.fleet, "req-abc"))
        #expect(desired.isRequestFleet("req-abc"))
        #expect(!desired.isRequestFleet("workers"))
    }

    @Test func aLostMachineOfARequestIsReplacedAsAFleetsWouldBe() throws {
        let desired = Fixtures.desired(fleets: []).applying(demands: [Self.demand(count: 2)], returning: [])
        let machines = [Fixtures.machine("req-abc-1", fleet: "req-abc"), Fixtures.machine("req-abc-2", fleet: "req-abc", state: .lost)]
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.replace, .machineLost, count: 1, machines: ["req-abc-2"], fleet: "req-abc")])
    }

    @Test func aReturnedMachineOfARequestIsReturnedAndNotReplaced() throws {
        // The return lowered the request's count with it: 3 asked, 1 given back.
        let desired = Fixtures.desired(fleets: []).applying(demands: [Self.demand(count: 2, requested: 3)], returning: ["req-abc-2"])
        let machines = ["req-abc-1", "req-abc-2", "req-abc-3"].map { Fixtures.machine($0, fleet: "req-abc") }
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.return, .manualReturn, machines: ["req-abc-2"], fleet: "req-abc")])
    }

    @Test func aReturnedMachineOfAFleetIsReturnedAndReplaced() throws {
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 2)]).applying(demands: [], returning: ["m2"])
        let plan = try T.plan(T.input(desired, machines: T.running(["m1", "m2"])))
        #expect(Set(T.shapes(plan)) == [T.shape(.return, .manualReturn, machines: ["m2"]), T.shape(.provision, .scaleUp, count: 1)])
    }

    @Test func theChosenMachineIsReturnedNotTheNewestOrOldest() throws {
        // Scale-in would pick the newest; a return request names its machine.
        let desired = Fixtures.desired(fleets: []).applying(demands: [Self.demand(count: 2, requested: 3)], returning: ["req-abc-2"])
        let machines = [("req-abc-1", 10), ("req-abc-2", 20), ("req-abc-3", 30)].map {
            Fixtures.machine($0.0, fleet: "req-abc", createdAt: Int64($0.1))
        }
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(plan.actions.flatMap(\.machines) == ["req-abc-2"])
    }

    @Test func aMachineBeingReturnedAlreadyIsNotReturnedTwice() throws {
        let desired = Fixtures.desired(fleets: []).applying(demands: [Self.demand(count: 0, requested: 1)], returning: ["req-abc-1"])
        let machines = [Fixtures.machine("req-abc-1", fleet: "req-abc", state: .terminating)]
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(T.shapes(plan) == [T.shape(.return, .returnIncomplete, machines: ["req-abc-1"], fleet: "req-abc")])
    }

    @Test func requestsCountAgainstMaxMachinesWithTheFleets() throws {
        let template = Fixtures.template(maxMachines: 4)
        let desired = Fixtures.desired(templates: [template], fleets: [Fixtures.fleet(count: 2)])
            .applying(demands: [Self.demand(count: 3)], returning: [])
        // Over: the request waits for room (a warning), it does not fail the plan of every fleet.
        let over = try Planner().plan(T.input(desired, machines: []))
        #expect(over.warnings.contains { $0.code == "request-over-limit" })
        #expect(over.actions.first { $0.resource.name == "req-abc" }?.count == 2)
        let within = Fixtures.desired(templates: [template], fleets: [Fixtures.fleet(count: 2)])
            .applying(demands: [Self.demand(count: 2)], returning: [])
        #expect(throws: Never.self) { try Planner().plan(T.input(within, machines: [])) }
    }

    @Test func aRequestWhoseTemplateWasRemovedKeepsItsMachines() throws {
        let desired = Fixtures.desired(templates: [], fleets: []).applying(demands: [Self.demand(count: 1, template: "gone")], returning: [])
        let plan = try T.plan(T.input(desired, machines: [Fixtures.machine("req-abc-1", fleet: "req-abc")]))
        #expect(plan.actions.isEmpty, "nobody asked for them back: \(plan.actions)")
    }

    @Test func aFleetOfTheFilesKeepsItsNameWhenARequestWouldShadowIt() {
        let desired = Fixtures.desired(fleets: [Fixtures.fleet("req-abc", count: 5)]).applying(demands: [Self.demand(count: 1)], returning: [])
        #expect(desired.fleets["req-abc"]?.count == 5)
    }

    // MARK: Reports

    static func machine(_ id: String, _ state: MachineState, at: Int64 = 0, returning: Bool = false) -> RequestedMachine {
        RequestedMachine(id: id, state: state, addresses: MachineAddresses(privateIP: "10.0.0.1"), createdAt: Instant(millisecondsSinceEpoch: at),
                         message: state == .failed ? "InsufficientInstanceCapacity" : "", returning: returning)
    }

    @Test func aRequestWithNoMachineYetIsPending() {
        let report = MachineRequestReport.provision(Self.demand(count: 2), machines: [], failed: 0)
        #expect(report.status == .pending)
        #expect(report.machines.isEmpty)
    }

    @Test func aRequestIsInProgressUntilEveryMachineRuns() {
        let report = MachineRequestReport.provision(Self.demand(count: 2), machines: [Self.machine("a", .running), Self.machine("b", .pending)], failed: 0)
        #expect(report.status == .inProgress)
        #expect(report.machines.map(\.result) == [.succeed, .executing])
        #expect(report.machines.first?.addresses.privateIP == "10.0.0.1")
    }

    @Test func aRequestIsCompleteWhenItsMachinesRun() {
        let report = MachineRequestReport.provision(Self.demand(count: 2), machines: [Self.machine("a", .running), Self.machine("b", .running)], failed: 0)
        #expect(report.status == .complete)
        #expect(report.status.isFinished)
    }

    @Test func aRequestWithSomeMachinesThatFailedIsPartialAndSaysWhy() {
        // 3 asked, 1 failed and left the request: 2 wanted, 2 running.
        let demand = Self.demand(count: 2, requested: 3)
        let report = MachineRequestReport.provision(demand, machines: [Self.machine("a", .running), Self.machine("b", .running),
                                                                        Self.machine("c", .failed, at: 5)], failed: 1)
        #expect(report.status == .partial)
        #expect(report.message.contains("InsufficientInstanceCapacity"))
        #expect(report.machines.last?.result == .fail)
    }

    @Test func aRequestWhoseMachinesAllFailedHasFailed() {
        let report = MachineRequestReport.provision(Self.demand(count: 0, requested: 2), machines: [Self.machine("a", .failed), Self.machine("b", .failed)],
                                                    failed: 2)
        #expect(report.status == .failed)
    }

    @Test func aRequestStaysCompleteAfterItsMachinesAreReturned() {
        let report = MachineRequestReport.provision(Self.demand(count: 0, requested: 1), machines: [Self.machine("a", .returned)], failed: 0)
        #expect(report.status == .complete)
    }

    @Test func aReturnRequestCompletesWhenEveryMachineIsGone() {
        let going = MachineRequestReport.returning(id: "ret-1", createdAt: .epoch, machines: [Self.machine("a", .returned), Self.machine("b", .terminating)])
        #expect(going.status == .inProgress)
        #expect(going.machines.map(\.result) == [.succeed, .executing])
        let done = MachineRequestReport.returning(id: "ret-1", createdAt: .epoch, machines: [Self.machine("a", .returned), Self.machine("b", .lost)])
        #expect(done.status == .complete)
        let waiting = MachineRequestReport.returning(id: "ret-1", createdAt: .epoch, machines: [Self.machine("a", .running)])
        #expect(waiting.status == .pending)
    }
}

/// What the review of issue 18 found: requests over the limit wait instead of failing every
/// plan; requests that do not replace lost machines replace nothing; a request's machines are
/// never rolled over.
@Suite("Planner: machine requests under limits")
struct MachineDemandLimitTests {
    static func demand(_ id: String, count: Int, at: Int64, replaceLost: Bool = true) -> MachineDemand {
        MachineDemand(id: id, template: "worker", requested: count, replaceLost: replaceLost, actor: "ana@host",
                      createdAt: Instant(millisecondsSinceEpoch: at))
    }

    @Test func aRequestOverMaxMachinesWaitsAndTheOtherFleetsArePlanned() throws {
        let template = Fixtures.template(maxMachines: 4)
        // The earlier request gets the room the fleet leaves (2); the later one waits.
        let desired = Fixtures.desired(templates: [template], fleets: [Fixtures.fleet(count: 2)])
            .applying(demands: [Self.demand("req-late", count: 2, at: 20), Self.demand("req-early", count: 2, at: 10)], returning: [])
        let plan = try T.plan(T.input(desired, machines: []))
        let provisions = Dictionary(uniqueKeysWithValues: plan.actions.filter { $0.verb == .provision }.map { ($0.resource.name, $0.count) })
        #expect(provisions == ["workers": 2, "req-early": 2], "\(plan.actions)")
        #expect(plan.warnings.contains { $0.code == "request-over-limit" && $0.message.contains("req-late") })
    }

    @Test func aRequestIsNeverGivenFewerThanItHolds() throws {
        // maxMachines lowered to 1 while a request holds 2: they stay; nothing more is asked for.
        let template = Fixtures.template(maxMachines: 1)
        let desired = Fixtures.desired(templates: [template], fleets: []).applying(demands: [Self.demand("req-a", count: 3, at: 10)], returning: [])
        let machines = ["req-a-1", "req-a-2"].map { Fixtures.machine($0, fleet: "req-a", template: template) }
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(plan.actions.isEmpty, "\(plan.actions)")
    }

    @Test func hugeCountsDoNotTrap() throws {
        let template = Fixtures.template(maxMachines: 10)
        let desired = Fixtures.desired(templates: [template], fleets: [Fixtures.fleet(count: Int.max)])
            .applying(demands: [Self.demand("req-a", count: Int.max, at: 10)], returning: [])
        #expect(throws: PlanFailure.self) { try Planner().plan(T.input(desired, machines: [])) }
    }

    @Test func aRequestThatDoesNotReplaceLostMachinesProvisionsNothingForThem() throws {
        let desired = Fixtures.desired(fleets: []).applying(demands: [Self.demand("req-a", count: 2, at: 10, replaceLost: false)], returning: [])
        let machines = [Fixtures.machine("req-a-1", fleet: "req-a"), Fixtures.machine("req-a-2", fleet: "req-a", state: .lost),
                        Fixtures.machine("req-a-3", fleet: "req-a", state: .unhealthy)]
        let plan = try T.plan(T.input(desired, machines: machines))
        // Before the sync gives the lost one back: it is retired, not replaced; the unhealthy one is kept.
        #expect(!plan.actions.contains { $0.verb == .provision || $0.verb == .replace }, "\(plan.actions)")
        #expect(plan.actions.contains { $0.verb == .return && $0.machines == ["req-a-2"] })
    }

    @Test func aRequestsMachinesAreNotRolledOverByATemplateChange() throws {
        let desired = Fixtures.desired(fleets: []).applying(demands: [Self.demand("req-a", count: 2, at: 10)], returning: [])
        let machines = ["req-a-1", "req-a-2"].map { Fixtures.machine($0, fleet: "req-a", templateHash: "an-older-version") }
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(plan.actions.isEmpty, "\(plan.actions)")
    }

    @Test func aRequestWithoutItsTemplateKeepsItsMachinesButReturnsThoseAskedFor() throws {
        var withdrawn = Self.demand("req-a", count: 0, at: 10)
        withdrawn.requested = 2
        let desired = Fixtures.desired(templates: [], fleets: [])
            .applying(demands: [Self.demand("req-b", count: 2, at: 5, replaceLost: true)], returning: ["req-b-2"])
        let machines = [Fixtures.machine("req-b-1", fleet: "req-b"), Fixtures.machine("req-b-2", fleet: "req-b")]
        let plan = try T.plan(T.input(desired, machines: machines))
        #expect(plan.actions.map(\.machines) == [["req-b-2"]], "\(plan.actions)")
        #expect(plan.warnings.contains { $0.code == "request-template-missing" })
        let gone = Fixtures.desired(templates: [], fleets: []).applying(demands: [withdrawn], returning: [])
        let all = try T.plan(T.input(gone, machines: ["req-a-1", "req-a-2"].map { Fixtures.machine($0, fleet: "req-a") }))
        #expect(all.actions.flatMap(\.machines).sorted() == ["req-a-1", "req-a-2"], "a request that wants none gives back all")
    }
}
