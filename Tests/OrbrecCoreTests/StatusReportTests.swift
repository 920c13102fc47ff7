import Testing
import OrbrecCore
import OrbrecTestSupport

@Suite("StatusReport")
struct StatusReportTests {
    func report(_ desired: DesiredState, observed: [ObservedMachine], recorded: [RecordedMachine]? = nil,
                unreachable: [String: String] = [:], planned: Bool = true) throws -> StatusReport {
        let input = PlanInput(desired: desired, observed: ObservedState(machines: observed, unreachableProviders: unreachable),
                              recorded: recorded ?? observed.map { Fixtures.record($0) })
        let machines = FleetMachine.merge(observed: input.observed, recorded: input.recorded)
        let plan = planned ? try Planner().plan(input) : nil
        return StatusReport(desired: desired, machines: machines, plan: plan, unreachableProviders: unreachable)
    }

    func row(_ report: StatusReport, _ id: ResourceID) throws -> StatusReport.Row {
        try #require(report.rows.first { $0.id == id })
    }

    let workers = ResourceID(.fleet, "workers")

    @Test func convergedFleetIsSyncedAndHealthy() throws {
        let report = try report(Fixtures.desired(fleets: [Fixtures.fleet(count: 2)]), observed: T.running(["m1", "m2"]))
        let fleet = try row(report, workers)
        #expect(fleet.sync == .synced)
        #expect(fleet.health == .healthy)
        #expect(fleet.observed == "2 running")
        #expect(fleet.desired == "2")
        #expect(report.isConverged)
        #expect(report.rows.map(\.id) == [ResourceID(.provider, "here"), ResourceID(.template, "worker"), workers])
    }

    @Test func emptyFleetIsMissingAndOutOfSync() throws {
        let report = try report(Fixtures.desired(fleets: [Fixtures.fleet(count: 3)]), observed: [])
        let fleet = try row(report, workers)
        #expect(fleet.sync == .outOfSync)
        #expect(fleet.health == .missing)
        #expect(fleet.message == "no machines")
        #expect(!report.isConverged)
    }

    @Test func lostMachineDegradesTheFleet() throws {
        let gone = Fixtures.machine("m1")
        let report = try report(Fixtures.desired(fleets: [Fixtures.fleet(count: 2)]), observed: T.running(["m2"]),
                                recorded: [Fixtures.record(gone), Fixtures.record(Fixtures.machine("m2"))])
        let fleet = try row(report, workers)
        #expect(fleet.health == .degraded)
        #expect(fleet.sync == .outOfSync)
        #expect(fleet.observed == "1 running, 1 lost")
    }

    @Test func pendingMachineIsProgressing() throws {
        let machines = [Fixtures.machine("m1"), Fixtures.machine("m2", state: .pending)]
        let report = try report(Fixtures.desired(fleets: [Fixtures.fleet(count: 2)]), observed: machines)
        let fleet = try row(report, workers)
        #expect(fleet.health == .progressing)
        #expect(fleet.sync == .synced)
        #expect(fleet.message == "1/2 running")
        #expect(fleet.observed == "1 running, 1 pending")
    }

    @Test func surplusIsProgressingWithThePlannedActionInTheMessage() throws {
        let report = try report(Fixtures.desired(fleets: [Fixtures.fleet(count: 1)]), observed: T.running(["m1", "m2"]))
        let fleet = try row(report, workers)
        #expect(fleet.health == .progressing)
        #expect(fleet.sync == .outOfSync)
    }

    @Test func withoutAPlanSyncIsUnknown() throws {
        let report = try report(Fixtures.desired(fleets: [Fixtures.fleet(count: 1)]), observed: T.running(["m1"]), planned: false)
        #expect(try row(report, workers).sync == .unknown)
        #expect(try row(report, workers).health == .healthy)
        #expect(!report.isConverged)
    }

    @Test func unreachableProviderIsDegradedAndItsFleetUnknown() throws {
        let report = try report(Fixtures.desired(fleets: [Fixtures.fleet(count: 1)]), observed: [],
                                recorded: [Fixtures.record(Fixtures.machine("m1"))], unreachable: ["here": "timeout"])
        let provider = try row(report, ResourceID(.provider, "here"))
        #expect(provider.health == .degraded)
        #expect(provider.observed == "unreachable")
        #expect(provider.message == "timeout")
        let fleet = try row(report, workers)
        #expect(fleet.health == .unknown)
        #expect(fleet.sync == .synced, "nothing is planned for a fleet that could not be observed")
        #expect(fleet.message.contains("unreachable"))
    }

    @Test func removedFleetIsReportedAbsent() throws {
        let report = try report(Fixtures.desired(fleets: [Fixtures.fleet(count: 0)]), observed: T.running(["o1"], fleet: "old"))
        let old = try row(report, ResourceID(.fleet, "old"))
        #expect(old.desired == "absent")
        #expect(old.health == .unknown)
        #expect(old.sync == .outOfSync)
        #expect(old.message.contains("1 machine(s) to return"))
    }

    @Test func outdatedMachinesPutTheTemplateOutOfSync() throws {
        let machines = [Fixtures.machine("m1", templateHash: T.oldHash), Fixtures.machine("m2")]
        let report = try report(Fixtures.desired(fleets: [Fixtures.fleet(count: 2)]), observed: machines)
        let template = try row(report, ResourceID(.template, "worker"))
        #expect(template.sync == .outOfSync)
        #expect(template.observed == "2 machine(s)")
        #expect(template.message == "1 machine(s) of an older version")
        #expect(try row(report, workers).sync == .outOfSync)
    }

    @Test func templateRowShowsMaxMachines() throws {
        let desired = Fixtures.desired(templates: [Fixtures.template(maxMachines: 4)], fleets: [Fixtures.fleet(count: 1)])
        let report = try report(desired, observed: T.running(["m1"]))
        #expect(try row(report, ResourceID(.template, "worker")).desired == "max 4")
    }
}
