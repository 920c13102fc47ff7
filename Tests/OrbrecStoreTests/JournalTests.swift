import Testing
import OrbrecCore
import OrbrecStore
import OrbrecTestSupport

/// The action journal: intent before effect, every transition an event.
@Suite struct JournalTests {
    @Test(arguments: TestStateBackend.allCases)
    func anActionGoesFromPlannedThroughIssuingToSucceeded(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)

        try await store.recordIntent([Journal.action("act-1", at: 1_000), Journal.action("act-2", at: 1_001)])
        #expect(try await store.action(id: "act-1")?.state == .planned)
        #expect(try await store.action(id: "act-2")?.state == .planned)
        #expect(try await store.interruptedActions().isEmpty, "planned is not interrupted")
        #expect(try await store.activeMachines().isEmpty)

        // Issuing: the request and its machines are written before the provider is called.
        let part = Journal.provision("req-1", action: "act-1", machines: ["workers-a", "workers-b"], at: 2_000)
        try await store.markIssuing(actionID: "act-1", requests: [part.intent], newMachines: part.machines, returningMachines: [],
                                    at: Journal.at(2_000))
        let issuing = try #require(try await store.action(id: "act-1"))
        #expect(issuing.state == .issuing)
        #expect(issuing.requestId == "req-1")
        #expect(issuing.updatedAt == Journal.at(2_000))
        #expect(issuing.createdAt == Journal.at(1_000))
        #expect(try await store.interruptedActions().map(\.id) == ["act-1"])

        let requests = try await store.requests(ofAction: "act-1")
        #expect(requests.map(\.id) == ["req-1"])
        #expect(requests.first?.status == .inProgress)
        #expect(requests.first?.kind == .provision)
        #expect(try await store.requests(ofAction: "act-2").isEmpty)
        #expect(try await store.requestMachines(requestID: "req-1").map(\.state) == [.pending, .pending])

        let pending = try await store.activeMachines()
        #expect(pending.map(\.id) == ["workers-a", "workers-b"])
        #expect(pending.allSatisfy { $0.state == .pending && $0.providerId == nil && $0.recorded.inFlight })
        #expect(pending.allSatisfy { $0.actionId == "act-1" && $0.requestId == "req-1" })

        // The provider answered: one machine up, one failed.
        try await store.finishRequest(id: "req-1", status: .partial, message: "1 of 2", machineUpdates: [
            MachineUpdate(machineID: "workers-a", state: .running, providerID: "local:10:20", message: "process 10"),
            MachineUpdate(machineID: "workers-b", state: .failed, message: "spawn-failed: no such file"),
        ], at: Journal.at(3_000))
        let a = try #require(try await store.machine(id: "workers-a"))
        #expect(a.state == .running)
        #expect(a.providerId == "local:10:20")
        #expect(a.message == "process 10")
        #expect(!a.recorded.inFlight)
        let b = try #require(try await store.machine(id: "workers-b"))
        #expect(b.state == .failed)
        #expect(b.providerId == nil)
        #expect(try await store.activeMachines().map(\.id) == ["workers-a"], "a failed machine is not active")
        #expect(try await store.machines(includeFinished: true).map(\.id) == ["workers-a", "workers-b"])

        let (request, requestMachines) = try #require(try await store.request(id: "req-1"))
        #expect(request.status == .partial)
        #expect(request.message == "1 of 2")
        #expect(request.updatedAt == Journal.at(3_000))
        #expect(requestMachines.map(\.state) == [.running, .failed])
        #expect(requestMachines.map(\.message) == ["process 10", "spawn-failed: no such file"])
        #expect(try await store.interruptedActions().map(\.id) == ["act-1"], "still issuing until the action is finished")

        try await store.finishAction(id: "act-1", state: .succeeded, error: nil, at: Journal.at(4_000))
        #expect(try await store.action(id: "act-1")?.state == .succeeded)
        #expect(try await store.action(id: "act-1")?.requestId == "req-1", "finishing keeps the request id")
        #expect(try await store.interruptedActions().isEmpty)
        #expect(try await store.action(id: "act-2")?.state == .planned)

        #expect(try await await store.eventShapes() == [
            EventShape("action/act-1", nil, "planned"),
            EventShape("action/act-2", nil, "planned"),
            EventShape("action/act-1", "planned", "issuing"),
            EventShape("request/req-1", nil, "in_progress"),
            EventShape("machine/workers-a", nil, "pending"),
            EventShape("machine/workers-b", nil, "pending"),
            EventShape("machine/workers-a", "pending", "running"),
            EventShape("machine/workers-b", "pending", "failed"),
            EventShape("request/req-1", "in_progress", "partial"),
            EventShape("action/act-1", "issuing", "succeeded"),
        ])
        let events = try await store.allEvents()
        #expect(events.first?.resource == "Fleet/workers")
        #expect(events.first?.cause == "provision scale-up")
        #expect(events.last?.at == Journal.at(4_000))
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func interruptedActionsAreExactlyTheIssuingOnesOldestFirst(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.recordIntent([
            Journal.action("act-late", at: 3_000), Journal.action("act-early", at: 1_000),
            Journal.action("act-done", at: 2_000), Journal.action("act-planned", at: 500),
        ])
        for id in ["act-late", "act-early", "act-done"] {
            let part = Journal.provision("req-\(id)", action: id, machines: ["m-\(id)"])
            try await store.markIssuing(actionID: id, requests: [part.intent], newMachines: part.machines, returningMachines: [],
                                        at: Journal.at(5_000))
        }
        try await store.finishAction(id: "act-done", state: .failed, error: "boom", at: Journal.at(6_000))

        #expect(try await store.interruptedActions().map(\.id) == ["act-early", "act-late"])
        #expect(try await store.action(id: "act-done")?.error == "boom")
        #expect(try await await store.eventShapes().last == EventShape("action/act-done", "issuing", "failed"))
        #expect(try await await store.allEvents().last?.cause == "boom")
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func cancelPlannedActionsCancelsOnlyPlannedOnes(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.recordIntent([Journal.action("act-issuing"), Journal.action("act-done"),
                                      Journal.action("act-p1"), Journal.action("act-p2")])
        for id in ["act-issuing", "act-done"] {
            try await store.markIssuing(actionID: id, requests: [], newMachines: [], returningMachines: [], at: Journal.at(2_000))
        }
        try await store.finishAction(id: "act-done", state: .succeeded, error: nil, at: Journal.at(3_000))
        let before = try await store.lastSeq()

        try await store.cancelPlannedActions(reason: "apply stopped early", at: Journal.at(4_000))

        #expect(try await store.action(id: "act-issuing")?.state == .issuing)
        #expect(try await store.action(id: "act-done")?.state == .succeeded)
        for id in ["act-p1", "act-p2"] {
            let action = try #require(try await store.action(id: id))
            #expect(action.state == .cancelled)
            #expect(action.error == "apply stopped early")
            #expect(action.updatedAt == Journal.at(4_000))
        }
        #expect(Set(try await store.eventShapes(after: before)) == [
            EventShape("action/act-p1", "planned", "cancelled"), EventShape("action/act-p2", "planned", "cancelled"),
        ])
        #expect(try await store.events(after: before).allSatisfy { $0.cause == "apply stopped early" })

        // Nothing left to cancel: no further events.
        let after = try await store.lastSeq()
        try await store.cancelPlannedActions(reason: "again", at: Journal.at(5_000))
        #expect(try await await store.lastSeq() == after)
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aReturnMarksItsMachinesTerminatingAndFinishesThemReturned(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.recordIntent([Journal.action("act-make")])
        let part = Journal.provision("req-1", action: "act-make", machines: ["workers-a", "workers-b"])
        try await store.markIssuing(actionID: "act-make", requests: [part.intent], newMachines: part.machines, returningMachines: [],
                                    at: Journal.at(2_000))
        try await store.finishRequest(id: "req-1", status: .complete, message: "ok", machineUpdates: [
            MachineUpdate(machineID: "workers-a", state: .running, providerID: "local:1:1"),
            MachineUpdate(machineID: "workers-b", state: .running, providerID: "local:2:2"),
        ], at: Journal.at(3_000))
        try await store.finishAction(id: "act-make", state: .succeeded, error: nil, at: Journal.at(3_000))
        let before = try await store.lastSeq()

        try await store.recordIntent([Journal.action("act-ret", verb: .return, reason: .scaleDown, at: 4_000)])
        let giveBack = Journal.giveBack("ret-1", action: "act-ret", machines: ["workers-b"], at: 4_000)
        try await store.markIssuing(actionID: "act-ret", requests: [giveBack], newMachines: [], returningMachines: ["workers-b"],
                                    at: Journal.at(4_000))
        #expect(try await store.machine(id: "workers-b")?.state == .terminating)
        #expect(try await store.machine(id: "workers-b")?.message == "being returned")
        #expect(try await store.machine(id: "workers-a")?.state == .running)
        #expect(try await store.requests(ofAction: "act-ret").map(\.kind) == [.return])
        #expect(try await store.action(id: "act-ret")?.requestId == "ret-1")

        try await store.finishRequest(id: "ret-1", status: .complete, message: "returned", machineUpdates: [
            MachineUpdate(machineID: "workers-b", state: .returned, message: "returned"),
        ], at: Journal.at(5_000))
        try await store.finishAction(id: "act-ret", state: .succeeded, error: nil, at: Journal.at(5_000))
        #expect(try await store.machine(id: "workers-b")?.state == .returned)
        #expect(try await store.machine(id: "workers-b")?.providerId == "local:2:2", "an update without a provider id keeps it")
        #expect(try await store.activeMachines().map(\.id) == ["workers-a"])
        #expect(try await store.requestMachines(requestID: "ret-1").map(\.state) == [.returned])

        #expect(try await await store.eventShapes(after: before) == [
            EventShape("action/act-ret", nil, "planned"),
            EventShape("action/act-ret", "planned", "issuing"),
            EventShape("request/ret-1", nil, "in_progress"),
            EventShape("machine/workers-b", "running", "terminating"),
            EventShape("machine/workers-b", "terminating", "returned"),
            EventShape("request/ret-1", "in_progress", "complete"),
            EventShape("action/act-ret", "issuing", "succeeded"),
        ])
        await store.close()
    }

    /// Events are append-only: later writes add rows after the old ones and never change them.
    @Test(arguments: TestStateBackend.allCases)
    func eventsAreAppendOnlyWithIncreasingSequenceNumbers(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.recordIntent([Journal.action("act-1"), Journal.action("act-2")])
        let first = try await store.allEvents()

        let part = Journal.provision("req-1", action: "act-1", machines: ["workers-a"])
        try await store.markIssuing(actionID: "act-1", requests: [part.intent], newMachines: part.machines, returningMachines: [],
                                    at: Journal.at(2_000))
        try await store.finishRequest(id: "req-1", status: .complete, message: "ok",
                                      machineUpdates: [MachineUpdate(machineID: "workers-a", state: .running, providerID: "x:1")],
                                      at: Journal.at(3_000))
        try await store.finishAction(id: "act-1", state: .succeeded, error: nil, at: Journal.at(3_000))
        try await store.cancelPlannedActions(reason: "stop", at: Journal.at(4_000))
        try await store.syncMachines(observed: [], unreachableProviders: [], at: Journal.at(5_000))
        let all = try await store.allEvents()

        #expect(Array(all.prefix(first.count)) == first, "earlier events are unchanged")
        #expect(all.count > first.count)
        let seqs = all.compactMap(\.seq)
        #expect(seqs.count == all.count, "every event has a sequence number")
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $0 < $1 })
        #expect(all.map(\.at) == all.map(\.at).sorted(), "in the order they happened")

        // Paging with `after` and `limit`.
        let middle = seqs[2]
        #expect(try await store.events(after: middle).map(\.seq) == Array(seqs.dropFirst(3)))
        #expect(try await store.events(after: 0, limit: 2).map(\.seq) == Array(seqs.prefix(2)))
        #expect(try await store.events(after: seqs.last ?? 0).isEmpty)
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func actionsAreListedNewestFirstAndFilteredByResource(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        try await store.recordIntent([Journal.action("act-1", at: 1_000), Journal.action("act-2", fleet: "gpu", at: 2_000),
                                      Journal.action("act-3", at: 3_000)])
        #expect(try await store.actions().map(\.id) == ["act-3", "act-2", "act-1"])
        #expect(try await store.actions(limit: 1).map(\.id) == ["act-3"])
        #expect(try await store.actions(resource: ResourceID(.fleet, "gpu")).map(\.id) == ["act-2"])
        let action = try #require(try await store.action(id: "act-2"))
        #expect(action == Journal.action("act-2", fleet: "gpu", at: 2_000), "the row reads back as written")
        #expect(try await store.action(id: "act-missing") == nil)
        await store.close()
    }
}
