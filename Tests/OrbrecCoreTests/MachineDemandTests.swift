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
        #expect(throws: PlanFailure.self) { try Planner().plan(T.input(desired, machines: [])) }
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
