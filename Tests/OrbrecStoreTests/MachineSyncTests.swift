import Testing
import OrbrecCore
import OrbrecStore
import OrbrecTestSupport

/// `syncMachines`: bringing the journal in line with what the providers report.
@Suite struct MachineSyncTests {
    @Test(arguments: TestStateBackend.allCases)
    func anObservedMachineNotInTheJournalIsAdopted(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        let seen = Journal.observed("workers-x", at: 700)

        try await store.syncMachines(observed: [seen], unreachableProviders: [], at: Journal.at(9_000))

        let adopted = try #require(try await store.machine(id: "workers-x"))
        #expect(adopted.state == .running)
        #expect(adopted.message.hasPrefix("adopted"))
        #expect(adopted.fleet == "workers")
        #expect(adopted.template == "worker")
        #expect(adopted.templateHash == "hash-1")
        #expect(adopted.provider == "here")
        #expect(adopted.providerId == "here:workers-x")
        #expect(adopted.actionId == "act-origin")
        #expect(adopted.requestId == "")
        #expect(adopted.createdAt == Journal.at(700), "created when the provider says, not when adopted")
        #expect(adopted.updatedAt == Journal.at(9_000))
        #expect(try await await store.eventShapes() == [EventShape("machine/workers-x", nil, "running")])
        #expect(try await await store.allEvents().first?.cause == "adopted")

        // Seen again unchanged: nothing new is written.
        let seq = try await store.lastSeq()
        try await store.syncMachines(observed: [seen], unreachableProviders: [], at: Journal.at(10_000))
        #expect(try await await store.lastSeq() == seq)
        #expect(try await store.machine(id: "workers-x")?.updatedAt == Journal.at(9_000))
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aRecordedRunningMachineMissingFromTheObservationIsLost(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.syncMachines(observed: [Journal.observed("workers-a"), Journal.observed("workers-b")],
                                     unreachableProviders: [], at: Journal.at(1_000))
        let seq = try await store.lastSeq()

        try await store.syncMachines(observed: [Journal.observed("workers-a")], unreachableProviders: [], at: Journal.at(2_000))

        let lost = try #require(try await store.machine(id: "workers-b"))
        #expect(lost.state == .lost)
        #expect(lost.message == "the provider no longer reports it")
        #expect(try await store.machine(id: "workers-a")?.state == .running)
        #expect(try await await store.eventShapes(after: seq) == [EventShape("machine/workers-b", "running", "lost")])

        // Lost stays lost (and is written once).
        let again = try await store.lastSeq()
        try await store.syncMachines(observed: [Journal.observed("workers-a")], unreachableProviders: [], at: Journal.at(3_000))
        #expect(try await await store.lastSeq() == again)
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func anObservedStateChangeIsRecorded(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.syncMachines(observed: [Journal.observed("workers-a")], unreachableProviders: [], at: Journal.at(1_000))
        let seq = try await store.lastSeq()

        try await store.syncMachines(observed: [Journal.observed("workers-a", state: .unhealthy)], unreachableProviders: [],
                                     at: Journal.at(2_000))
        #expect(try await store.machine(id: "workers-a")?.state == .unhealthy)
        #expect(try await await store.eventShapes(after: seq) == [EventShape("machine/workers-a", "running", "unhealthy")])
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aTerminatingMachineThatDisappearedIsReturned(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.syncMachines(observed: [Journal.observed("workers-a"), Journal.observed("workers-b")],
                                     unreachableProviders: [], at: Journal.at(1_000))
        try await store.recordIntent([Journal.action("act-ret", verb: .return, reason: .scaleDown)])
        try await store.markIssuing(actionID: "act-ret", requests: [Journal.giveBack("ret-1", action: "act-ret", machines: ["workers-b"])],
                                    newMachines: [], returningMachines: ["workers-b"], at: Journal.at(2_000))
        #expect(try await store.machine(id: "workers-b")?.state == .terminating)

        // Still reported (running) while being returned: it stays terminating.
        try await store.syncMachines(observed: [Journal.observed("workers-a"), Journal.observed("workers-b")],
                                     unreachableProviders: [], at: Journal.at(3_000))
        #expect(try await store.machine(id: "workers-b")?.state == .terminating)

        let seq = try await store.lastSeq()
        try await store.syncMachines(observed: [Journal.observed("workers-a")], unreachableProviders: [], at: Journal.at(4_000))
        let returned = try #require(try await store.machine(id: "workers-b"))
        #expect(returned.state == .returned)
        #expect(returned.message == "returned")
        #expect(try await await store.eventShapes(after: seq) == [EventShape("machine/workers-b", "terminating", "returned")])
        #expect(try await store.activeMachines().map(\.id) == ["workers-a"])
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func machinesOfAnUnreachableProviderAreLeftAlone(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.syncMachines(observed: [Journal.observed("workers-a"), Journal.observed("far-a", fleet: "far", provider: "far"),
                                                Journal.observed("far-b", fleet: "far", provider: "far")],
                                     unreachableProviders: [], at: Journal.at(1_000))
        try await store.recordIntent([Journal.action("act-ret", verb: .return, fleet: "far", reason: .scaleDown)])
        try await store.markIssuing(actionID: "act-ret", requests: [Journal.giveBack("ret-1", action: "act-ret", machines: ["far-b"], fleet: "far")],
                                    newMachines: [], returningMachines: ["far-b"], at: Journal.at(2_000))
        let seq = try await store.lastSeq()

        try await store.syncMachines(observed: [], unreachableProviders: ["far"], at: Journal.at(3_000))

        #expect(try await store.machine(id: "far-a")?.state == .running)
        #expect(try await store.machine(id: "far-b")?.state == .terminating)
        #expect(try await store.machine(id: "workers-a")?.state == .lost, "a reachable provider's missing machine is lost")
        #expect(try await await store.eventShapes(after: seq) == [EventShape("machine/workers-a", "running", "lost")])
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aPendingMachineWithoutProviderIDIsInFlightNotLost(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.recordIntent([Journal.action("act-1")])
        let part = Journal.provision("req-1", action: "act-1", machines: ["workers-new", "workers-answered"])
        try await store.markIssuing(actionID: "act-1", requests: [part.intent], newMachines: part.machines, returningMachines: [],
                                    at: Journal.at(2_000))
        // The provider answered for one of them (it has a handle) but it is still pending.
        try await store.finishRequest(id: "req-1", status: .inProgress, message: "waiting", machineUpdates: [
            MachineUpdate(machineID: "workers-answered", state: .pending, providerID: "here:99"),
        ], at: Journal.at(3_000))
        #expect(try await store.machine(id: "workers-new")?.recorded.inFlight == true)
        #expect(try await store.machine(id: "workers-answered")?.recorded.inFlight == false)

        try await store.syncMachines(observed: [], unreachableProviders: [], at: Journal.at(4_000))

        #expect(try await store.machine(id: "workers-new")?.state == .pending, "being created: the provider has not answered yet")
        #expect(try await store.machine(id: "workers-answered")?.state == .lost, "it has a handle, so its absence counts")
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func anInFlightMachineThatAppearsTakesTheObservedStateAndHandle(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.recordIntent([Journal.action("act-1")])
        let part = Journal.provision("req-1", action: "act-1", machines: ["workers-a"])
        try await store.markIssuing(actionID: "act-1", requests: [part.intent], newMachines: part.machines, returningMachines: [],
                                    at: Journal.at(2_000))

        try await store.syncMachines(observed: [Journal.observed("workers-a")], unreachableProviders: [], at: Journal.at(3_000))

        let machine = try #require(try await store.machine(id: "workers-a"))
        #expect(machine.state == .running)
        #expect(machine.providerId == "here:workers-a")
        #expect(machine.requestId == "req-1", "a known machine is updated, not adopted")
        #expect(!machine.message.hasPrefix("adopted"))
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aReturnedMachineSeenAgainIsRecordedAsHeldAgain(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.syncMachines(observed: [Journal.observed("workers-a")], unreachableProviders: [], at: Journal.at(1_000))
        try await store.recordIntent([Journal.action("act-ret", verb: .return, reason: .scaleDown)])
        try await store.markIssuing(actionID: "act-ret", requests: [Journal.giveBack("ret-1", action: "act-ret", machines: ["workers-a"])],
                                    newMachines: [], returningMachines: ["workers-a"], at: Journal.at(2_000))
        try await store.syncMachines(observed: [], unreachableProviders: [], at: Journal.at(3_000))
        #expect(try await store.machine(id: "workers-a")?.state == .returned)

        try await store.syncMachines(observed: [Journal.observed("workers-a")], unreachableProviders: [], at: Journal.at(4_000))
        let machine = try #require(try await store.machine(id: "workers-a"))
        #expect(machine.state == .running)
        #expect(machine.message == "seen again")
        #expect(try await store.activeMachines().map(\.id) == ["workers-a"])
        await store.close()
    }
}
