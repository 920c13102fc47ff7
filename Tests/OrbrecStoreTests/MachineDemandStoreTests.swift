import Testing
import OrbrecCore
import OrbrecStore
import OrbrecTestSupport

/// Machine requests and return requests in the journal, on both backends.
@Suite struct MachineDemandStoreTests {
    static func demand(_ id: String, count: Int = 3, replaceLost: Bool = true, at time: Int64 = 1_000) -> MachineDemand {
        MachineDemand(id: id, template: "worker", requested: count, replaceLost: replaceLost, actor: "ana@host", createdAt: Journal.at(time))
    }

    @Test(arguments: TestStateBackend.allCases)
    func aRequestIsJournaledWithAnEventAndAKeyAnswersItOnce(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        let first = try await store.recordDemand(Self.demand("req-1"), idempotencyKey: "key-a", at: Journal.at(1_000))
        #expect(first.created)
        let again = try await store.recordDemand(Self.demand("req-2"), idempotencyKey: "key-a", at: Journal.at(2_000))
        #expect(!again.created)
        #expect(again.demand.id == "req-1")
        #expect(try await store.demand(idempotencyKey: "key-a")?.id == "req-1")
        #expect(try await store.demand(id: "req-2") == nil, "the second call asked for nothing")
        let stored = try #require(try await store.demand(id: "req-1"))
        #expect(stored.count == 3 && stored.requested == 3 && stored.template == "worker" && stored.actor == "ana@host")
        #expect(try await store.eventShapes() == [EventShape("request/req-1", nil, "pending")])
        #expect(try await store.demands().map(\.id) == ["req-1"])
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aReturnLowersItsRequestsCountOnceAndIsPendingUntilTheMachineIsGone(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        _ = try await store.recordDemand(Self.demand("req-1", count: 2), at: Journal.at(1_000))
        try await store.syncMachines(observed: [Journal.observed("req-1-a", fleet: "req-1"), Journal.observed("req-1-b", fleet: "req-1"),
                                                Journal.observed("workers-x")],
                                     unreachableProviders: [], at: Journal.at(1_500))
        let recorded = try await store.recordReturn(id: "ret-1", machines: ["req-1-a", "workers-x", "no-such"], actor: "ana@host", at: Journal.at(2_000))
        #expect(recorded == ["req-1-a", "workers-x"], "a machine the journal does not know is left out")
        #expect(try await store.demand(id: "req-1")?.count == 1)
        #expect(try await store.pendingReturns() == ["req-1-a", "workers-x"])
        let rows = try await store.machineReturns(id: "ret-1")
        #expect(rows.map(\.machineId) == ["req-1-a", "workers-x"])
        #expect(rows.first?.demandId == "req-1")
        #expect(rows.last?.demandId == nil, "a machine of a fleet of the files leaves no request")

        // Named twice: given back once.
        #expect(try await store.recordReturn(id: "ret-2", machines: ["req-1-a"], actor: "ana@host", at: Journal.at(3_000)).isEmpty)
        #expect(try await store.demand(id: "req-1")?.count == 1)

        // Gone: no longer pending; the request still holds req-1-b, so it stays open.
        try await store.syncMachines(observed: [Journal.observed("req-1-b", fleet: "req-1")], unreachableProviders: [], at: Journal.at(4_000))
        #expect(try await store.machine(id: "req-1-a")?.state == .lost)
        #expect(try await store.demands(openOnly: true).map(\.id) == ["req-1"])
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aRequestGivenBackWhollyIsNoLongerOpen(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        _ = try await store.recordDemand(Self.demand("req-1", count: 1), at: Journal.at(1_000))
        _ = try await store.recordDemand(Self.demand("req-2", count: 1, replaceLost: false), at: Journal.at(1_100))
        try await store.syncMachines(observed: [Journal.observed("req-1-a", fleet: "req-1")], unreachableProviders: [], at: Journal.at(1_500))
        try await store.recordReturn(id: "ret-1", machines: ["req-1-a"], actor: "ana@host", at: Journal.at(2_000))
        #expect(try await store.demands(openOnly: true).map(\.id) == ["req-1", "req-2"], "req-1 still holds its machine")
        // Lost is not yet given back (the next plan returns it): the request stays open until then.
        try await store.syncMachines(observed: [], unreachableProviders: [], at: Journal.at(3_000))
        #expect(try await store.machine(id: "req-1-a")?.state == .lost)
        #expect(try await store.demands(openOnly: true).map(\.id) == ["req-1", "req-2"])
        #expect(try await store.demands(openOnly: false).map(\.id) == ["req-1", "req-2"])
        #expect(try await store.demand(id: "req-2")?.replaceLost == false)
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func machinesCarryTheAddressesTheirProviderReports(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        var seen = Journal.observed("workers-a")
        try await store.syncMachines(observed: [seen], unreachableProviders: [], at: Journal.at(1_000))
        #expect(try await store.machine(id: "workers-a")?.addresses.isEmpty == true)
        seen.addresses = MachineAddresses(privateIP: "10.0.0.7", publicIP: "203.0.113.9", hostname: "ip-10-0-0-7.ec2.internal")
        let seq = try await store.lastSeq()
        try await store.syncMachines(observed: [seen], unreachableProviders: [], at: Journal.at(2_000))
        let machine = try #require(try await store.machine(id: "workers-a"))
        #expect(machine.addresses == seen.addresses)
        #expect(try await store.lastSeq() == seq, "an address is not an event")
        await store.close()
    }
}
