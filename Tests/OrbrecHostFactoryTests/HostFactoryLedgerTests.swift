import OrbrecCore
@testable import OrbrecHostFactory
import Testing

/// How the provider's ledger reads the plugin's answers, without a plugin.
struct HostFactoryLedgerTests {
    typealias Machine = HostFactoryRequestStatus.Machine

    func ledger(_ machines: [String] = ["w-1", "w-2", "w-3"], requestID: String? = "r1") -> HostFactoryLedger {
        var ledger = HostFactoryLedger()
        ledger.orders.append(.init(call: "req-1", actionID: "act-1", owner: "me", fleet: "w", template: "t", templateHash: "h",
                                   templateID: "t", machineIDs: machines, createdAt: Instant(millisecondsSinceEpoch: 5000), requestID: requestID))
        return ledger
    }

    func machine(_ id: String, _ result: HostFactoryRequestStatus.MachineResult, name: String? = nil) -> Machine {
        Machine(machineId: id, name: name ?? "host-\(id)", result: result, status: "s", privateIpAddress: "10.0.0.1", launchtime: 1_700_000_000)
    }

    @Test func machinesAreGivenOutInOrderAndKeepTheirIDs() {
        var ledger = ledger()
        ledger.apply(HostFactoryRequestStatus(requests: [.init(requestId: "r1", status: .running, machines: [machine("i-b", .executing)])]))
        #expect(ledger.orders[0].machines["w-1"]?.machineId == "i-b")
        // The plugin lists them in another order next time, and one more: the first keeps its id.
        ledger.apply(HostFactoryRequestStatus(requests: [.init(requestId: "r1", status: .running, machines: [
            machine("i-a", .succeed), machine("i-b", .succeed),
        ])]))
        #expect(ledger.orders[0].machines.mapValues(\.machineId) == ["w-1": "i-b", "w-2": "i-a"])
        let observed = ledger.observedMachines(owner: "me", provider: "hf")
        #expect(observed.map(\.state) == [.running, .running, .pending])
        #expect(observed.map(\.providerID) == ["i-b", "i-a", "pending:r1"])
        #expect(observed[0].createdAt == Instant(millisecondsSinceEpoch: 1_700_000_000_000))
        #expect(observed[2].createdAt == Instant(millisecondsSinceEpoch: 5000))
        #expect(ledger.observedMachines(owner: "someone-else", provider: "hf").isEmpty)
    }

    @Test func moreThanAskedForAreMachinesOfTheirOwn() {
        var ledger = ledger(["w-1"])
        ledger.apply(HostFactoryRequestStatus(requests: [.init(requestId: "r1", status: .complete, machines: [
            machine("i-1", .succeed), machine("i-EXTRA/2", .succeed),
        ])]))
        #expect(ledger.observedMachines(owner: "me", provider: "hf").map(\.id) == ["w-1", "w-i-extra-2"])
    }

    @Test func aFinishedRequestsMissingMachinesAreFailedAndTheOrderEndsWithItsMachines() {
        var ledger = ledger()
        ledger.apply(HostFactoryRequestStatus(requests: [.init(requestId: "r1", status: .completeWithError, message: "capacity",
                                                               machines: [machine("i-1", .succeed)])]))
        let observed = ledger.observedMachines(owner: "me", provider: "hf")
        #expect(observed.map(\.state) == [.running, .failed, .failed])
        #expect(observed[1].message.contains("1 of 3") && observed[1].message.contains("capacity"))
        ledger.prune(now: .epoch)
        #expect(ledger.orders.count == 1)
        ledger.returns.append(.init(call: "ret-1", owner: "me", machines: ["w-1": .init(name: "host-i-1", machineId: "i-1")],
                                    createdAt: .epoch, requestID: "r2"))
        #expect(ledger.observedMachines(owner: "me", provider: "hf").first?.state == .terminating)
        #expect(ledger.heldMachines(owner: "me").isEmpty, "a machine being returned is not asked about")
        ledger.apply(HostFactoryRequestStatus(requests: [.init(requestId: "r2", status: .complete, machines: [machine("i-1", .succeed)])]))
        #expect(ledger.observedMachines(owner: "me", provider: "hf").map(\.state) == [.failed, .failed])
        ledger.prune(now: .epoch)
        #expect(ledger.orders.isEmpty && ledger.returns.isEmpty)
    }

    @Test func anAbandonedOrderReportsItsMachinesFailedForADay() {
        var ledger = ledger(["w-1", "w-2"], requestID: nil)
        let abandoned = Instant(millisecondsSinceEpoch: 1_000_000)
        ledger.orders[0].failure = "requestMachines.sh of call req-1 had not answered and was killed"
        ledger.orders[0].abandonedAt = abandoned
        let observed = ledger.observedMachines(owner: "me", provider: "hf")
        #expect(observed.map(\.state) == [.failed, .failed])
        #expect(observed.allSatisfy { $0.message == "requestMachines.sh of call req-1 had not answered and was killed" })
        ledger.prune(now: abandoned.adding(.seconds(3600)))
        #expect(ledger.orders.count == 1, "kept for whoever observes next")
        ledger.orders[0].done.insert("w-1")
        #expect(ledger.observedMachines(owner: "me", provider: "hf").map(\.id) == ["w-2"], "a returned one is reported no more")
        ledger.prune(now: abandoned.adding(HostFactoryLedger.abandonedRetention))
        #expect(ledger.orders.isEmpty)
        // An order that failed at once (provision said so) is dropped at once.
        var immediate = self.ledger(requestID: nil)
        immediate.orders[0].failure = "requestMachines.sh failed (exit 1): quota"
        #expect(immediate.observedMachines(owner: "me", provider: "hf").isEmpty)
        immediate.prune(now: .epoch)
        #expect(immediate.orders.isEmpty)
    }

    @Test func aFailedReturnHoldsTheMachineAgain() {
        var ledger = ledger(["w-1"])
        ledger.apply(HostFactoryRequestStatus(requests: [.init(requestId: "r1", status: .complete, machines: [machine("i-1", .succeed)])]))
        ledger.returns.append(.init(call: "ret-1", owner: "me", machines: ["w-1": .init(name: "host-i-1", machineId: "i-1")],
                                    createdAt: .epoch, requestID: "r2"))
        ledger.apply(HostFactoryRequestStatus(requests: [.init(requestId: "r2", status: .completeWithError, machines: [
            Machine(machineId: "i-1", name: "host-i-1", result: .fail, status: "running", message: "termination protected"),
        ])]))
        let observed = ledger.observedMachines(owner: "me", provider: "hf")
        #expect(observed.map(\.state) == [.running])
        #expect(observed.first?.message.hasPrefix("return failed: termination protected") == true)
        #expect(ledger.pendingReturn(of: "w-1") == nil)
    }

    @Test func reclaimsAreFoundByMachineIDOrHostName() {
        var ledger = ledger(["w-1", "w-2"])
        ledger.apply(HostFactoryRequestStatus(requests: [.init(requestId: "r1", status: .complete, machines: [
            machine("i-1", .succeed, name: "ip-10-0-0-1"), machine("i-2", .succeed, name: "ip-10-0-0-2"),
        ])]))
        #expect(ledger.heldMachines(owner: "me") == [.init(name: "ip-10-0-0-1", machineId: "i-1"), .init(name: "ip-10-0-0-2", machineId: "i-2")])
        ledger.apply(HostFactoryReturnRequests(requests: [.init(machine: "ip-10-0-0-2", gracePeriod: 120)]), owner: "me")
        #expect(ledger.observedMachines(owner: "me", provider: "hf").map(\.state) == [.running, .lost])
        #expect(ledger.observedMachines(owner: "me", provider: "hf").map(\.reclaimedByProvider) == [false, true])
        ledger.apply(HostFactoryReturnRequests(requests: [.init(machine: "renamed", machineId: "i-1")]), owner: "someone-else")
        #expect(ledger.observedMachines(owner: "me", provider: "hf").map(\.state) == [.running, .lost], "another owner's reclaim is not ours")
    }

    @Test func resultsReadAsMachineStates() {
        #expect(HostFactoryMachineState.state(of: .succeed, requestFinished: false) == .running)
        #expect(HostFactoryMachineState.state(of: .executing, requestFinished: false) == .pending)
        #expect(HostFactoryMachineState.state(of: .executing, requestFinished: true) == .running)
        #expect(HostFactoryMachineState.state(of: .fail, requestFinished: true) == .lost)
        #expect(HostFactoryMachineState.state(of: .fail, requestFinished: false) == .lost)
    }

    @Test func anIntentNotYetAnsweredIsPending() {
        let ledger = ledger(["w-1"], requestID: nil)
        let observed = ledger.observedMachines(owner: "me", provider: "hf")
        #expect(observed.map(\.state) == [.pending])
        #expect(observed.first?.providerID == "pending:req-1")
    }

    @Test func answersAreFoundAmongLogLines() throws {
        let noisy = try HostFactoryDocumentTests.fixture("getAvailableTemplates-no-templates.out")
        let templates = try HostFactoryPlugin.decode(noisy, as: HostFactoryTemplates.self, script: .getAvailableTemplates)
        #expect(templates.templates.isEmpty)
        #expect(throws: ProviderError.self) {
            try HostFactoryPlugin.decode("No templates found.\n", as: HostFactoryTemplates.self, script: .getAvailableTemplates)
        }
        let run = HostFactoryPlugin.ScriptRun(script: .requestMachines, ending: .exited(1), stdout: #"{"error": "bad template", "success": false}"#, stderr: "")
        #expect(HostFactoryPlugin.failureMessage(run) == "bad template")
        let quiet = HostFactoryPlugin.ScriptRun(script: .requestMachines, ending: .exited(1), stdout: "", stderr: "Traceback\n  line 3\nValueError: no\n")
        #expect(HostFactoryPlugin.failureMessage(quiet) == "Traceback | line 3 | ValueError: no")
    }
}
