import Foundation
import Glibc
import OrbrecCore
import OrbrecHostFactory
import Testing

/// requestMachines and requestReturnMachines past the plugin's timeout: never killed there
/// (they may be halfway through making or returning machines), their answers adopted when
/// they end; killed, and their order failed, only after `abandonAfter`.
@Suite(.serialized) struct HostFactoryTimeoutTests {
    let owner = PluginFixture.owner

    /// Looks at the provider's machines until `done` holds of them, for at most `seconds`.
    func watch(_ provider: HostFactoryProvider, seconds: Double = 20,
               until done: ([ObservedMachine]) -> Bool) async throws -> [ObservedMachine] {
        let deadline = Date().addingTimeInterval(seconds)
        var machines = try await provider.machines(ownedBy: owner)
        while !done(machines) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            machines = try await provider.machines(ownedBy: owner)
        }
        return machines
    }

    @Test func requestMachinesPastItsTimeoutIsPendingThenAdoptedNotMadeAgain() async throws {
        let fixture = try PluginFixture(control: ["slow": ["requestMachines": 3]])
        let provider = fixture.provider(timeout: .seconds(1))
        let order = PluginFixture.order(["w-1", "w-2"])
        let started = Date()
        let outcomes = await provider.provision(order)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 2.5, "orbrec stops waiting at the 1 s timeout: took \(elapsed) s")
        #expect(outcomes.allSatisfy { $0.succeeded && $0.providerID == "pending:\(order.requestID)" }, "\(outcomes)")

        // While the script runs: its machines are pending, and nothing is asked of the plugin.
        let waiting = try await provider.machines(ownedBy: owner)
        #expect(waiting.map(\.id) == ["w-1", "w-2"])
        #expect(waiting.allSatisfy { $0.state == .pending && $0.message == "requestMachines is running" }, "\(waiting)")
        // The same order asked again (an answer lost on the way) is the same call, not a second one.
        let again = await provider.provision(order)
        #expect(again.allSatisfy { $0.succeeded && $0.providerID == "pending:\(order.requestID)" }, "\(again)")
        #expect(try fixture.scriptsCalled() == ["requestMachines"])

        // The script answers; the next look adopts its request and machines.
        let adopted = try await watch(provider) { machines in machines.allSatisfy { !$0.providerID.hasPrefix("pending:") } }
        #expect(adopted.map(\.providerID) == ["m-2", "m-3"], "\(adopted)")
        #expect(adopted.map(\.state) == [.running, .running])
        let called = try fixture.scriptsCalled()
        #expect(called.filter { $0 == "requestMachines" }.count == 1, "one requestMachines: \(called)")
        let left = try FileManager.default.contentsOfDirectory(atPath: fixture.workDirectory + "/.orbrec-hostfactory/calls")
        #expect(left.isEmpty, "the adopted call's files are gone: \(left)")
        #expect(Date().timeIntervalSince(started) >= 3, "adopted only once the script had answered")
    }

    @Test func requestReturnMachinesPastItsTimeoutStaysUnderWayAndIsAdopted() async throws {
        let fixture = try PluginFixture()
        let provider = fixture.provider(timeout: .seconds(1))
        _ = await provider.provision(PluginFixture.order(["w-1", "w-2"]))
        #expect(try await provider.machines(ownedBy: owner).map(\.state) == [.running, .running])
        try fixture.setControl(["slow": ["requestReturnMachines": 3]])

        let started = Date()
        let returned = await provider.returnMachines(PluginFixture.giveBack(["w-2"]))
        #expect(Date().timeIntervalSince(started) < 2.5)
        #expect(returned == [MachineOutcome(machineID: "w-2", providerID: "m-3")], "the return is under way")
        let during = try await provider.machines(ownedBy: owner)
        #expect(during.map(\.state) == [.running, .terminating], "\(during)")

        let after = try await watch(provider) { $0.map(\.id) == ["w-1"] }
        #expect(after.map(\.id) == ["w-1"], "\(after)")
        #expect(try fixture.scriptsCalled().filter { $0 == "requestReturnMachines" }.count == 1)
        let cloud = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.workDirectory + "/cloud.json"))) as? [String: Any]
        #expect(((cloud?["machines"] as? [String: [String: Any]])?["m-3"]?["state"] as? String) == "terminated")
    }

    @Test func aRequestThatNeverAnswersIsKilledAfterTheLongBoundAndItsOrderFails() async throws {
        let fixture = try PluginFixture(control: ["hang": ["requestMachines"]])
        let provider = fixture.provider(timeout: .seconds(1), abandonAfter: .seconds(4))
        let order = PluginFixture.order(["w-1"])
        let outcomes = await provider.provision(order)
        #expect(outcomes.allSatisfy { $0.succeeded && $0.providerID == "pending:\(order.requestID)" }, "\(outcomes)")
        let pids = try fixture.hangingPids()
        #expect(pids.count == 2)
        #expect(try await provider.machines(ownedBy: owner).map(\.state) == [.pending])
        #expect(pids.allSatisfy(PluginFixture.isAlive), "left running at the timeout")

        let failed = try await watch(provider) { $0.first?.state != .pending }
        #expect(failed.map(\.state) == [.failed], "\(failed)")
        let message = failed.first?.message ?? ""
        #expect(message.contains("requestMachines.sh of call \(order.requestID)"), "\(message)")
        #expect(message.contains("had not answered after 4s (its timeout is 1s) and was killed"), "\(message)")
        #expect(message.contains("may have made a request for 1 machine(s) of template small that orbrec does not know"), "\(message)")
        #expect(message.contains(fixture.workDirectory + "/logs"), "\(message)")
        #expect(pids.allSatisfy { !PluginFixture.isAlive($0) }, "the script and the child it started are gone")

        // The order is not made again under its own name, and its failed machine goes back at once.
        let again = await provider.provision(order)
        #expect(again.first?.error?.message == message)
        #expect(await provider.returnMachines(PluginFixture.giveBack(["w-1"])).allSatisfy { $0.succeeded })
        #expect(try await provider.machines(ownedBy: owner).isEmpty)
        #expect(try fixture.scriptsCalled() == ["requestMachines"])
    }
}
