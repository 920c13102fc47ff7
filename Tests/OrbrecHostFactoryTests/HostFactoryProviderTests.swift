import Foundation
import Glibc
import OrbrecCore
import OrbrecHostFactory
import Testing

/// The hostfactory provider driving a real plugin (Fixtures/plugin: five scripts over a
/// pretend cloud in files), through real processes, as HostFactory would.
@Suite(.serialized) struct HostFactoryProviderTests {
    let owner = PluginFixture.owner

    @Test func provisionsObservesAndReturnsThroughTheScripts() async throws {
        let fixture = try PluginFixture(control: ["polls": 2])
        let provider = fixture.provider()
        let outcomes = await provider.provision(PluginFixture.order(["workers-a", "workers-b", "workers-c"]))
        #expect(outcomes.map(\.machineID) == ["workers-a", "workers-b", "workers-c"])
        #expect(outcomes.allSatisfy { $0.succeeded && $0.providerID == "pending:fake-req-1" }, "\(outcomes)")

        // First look: the plugin's request runs, its machines are pending under their plugin ids.
        let first = try await provider.machines(ownedBy: owner)
        #expect(first.map(\.id) == ["workers-a", "workers-b", "workers-c"])
        #expect(first.map(\.state) == [.pending, .pending, .pending])
        #expect(first.map(\.providerID) == ["m-2", "m-3", "m-4"])
        #expect(first.allSatisfy { $0.fleet == "workers" && $0.template == "small" && $0.templateHash == "hash-1" && $0.actionID == "act-1" && $0.provider == "hf" })
        #expect(first.first?.addresses == MachineAddresses(privateIP: "10.0.0.2", hostname: "host-2"))

        let second = try await provider.machines(ownedBy: owner)
        #expect(second.map(\.state) == [.running, .running, .running])
        #expect(second.map(\.providerID) == ["m-2", "m-3", "m-4"], "each plugin machine keeps its orbrec id")
        #expect(try await provider.machines(ownedBy: "someone-else").isEmpty)

        let returned = await provider.returnMachines(PluginFixture.giveBack(["workers-b"]))
        #expect(returned == [MachineOutcome(machineID: "workers-b", providerID: "m-3")])
        let third = try await provider.machines(ownedBy: owner)
        #expect(third.map(\.id) == ["workers-a", "workers-c"], "the return finished at this look: \(third)")
        #expect(third.allSatisfy { $0.state == .running })

        // The calls went as HostFactory makes them: -f with the contract's input, HF_PROVIDER_*
        // set, run in the work directory, the provider's env passed through.
        let calls = try fixture.calls()
        #expect(calls.compactMap { $0["script"] as? String } == [
            "requestMachines", "getRequestStatus", "getReturnRequests", "getRequestStatus", "getReturnRequests",
            "requestReturnMachines", "getRequestStatus", "getReturnRequests",
        ])
        let request = try #require(calls.first)
        #expect((request["input"] as? [String: Any]).flatMap { $0["template"] as? [String: Any] }.map { "\($0["templateId"]!)/\($0["machineCount"]!)" } == "small/3")
        let environment = request["env"] as? [String: String] ?? [:]
        #expect(environment["HF_PROVIDER_WORKDIR"] == fixture.workDirectory)
        #expect(environment["HF_PROVIDER_CONFDIR"] == fixture.confDirectory)
        #expect(environment["HF_PROVIDER_LOGDIR"] == fixture.workDirectory + "/logs")
        #expect(environment["HF_PROVIDER_NAME"] == "hf")
        #expect(environment["FAKE_FLAVOUR"] == "test")
        #expect(request["cwd"] as? String == fixture.workDirectory)
        let giveBack = try #require(calls.first { $0["script"] as? String == "requestReturnMachines" })
        #expect(((giveBack["input"] as? [String: Any])?["machines"] as? [[String: String]]) == [["name": "host-3", "machineId": "m-3"]])
        let status = try #require(calls.last { $0["script"] as? String == "getRequestStatus" })
        let asked = ((status["input"] as? [String: Any])?["requests"] as? [[String: String]])?.compactMap { $0["requestId"] }
        #expect(asked == ["fake-req-1", "fake-ret-5"], "one call for every open request, create and return")
        let left = try FileManager.default.contentsOfDirectory(atPath: fixture.workDirectory + "/.orbrec-hostfactory/calls")
        #expect(left.isEmpty, "every call's files are gone once answered: \(left)")
    }

    @Test func machinesAPluginDidNotMakeAreFailedAndTheRestServe() async throws {
        let fixture = try PluginFixture(control: ["fulfil": 2])
        let provider = fixture.provider()
        _ = await provider.provision(PluginFixture.order(["w-1", "w-2", "w-3"]))
        let machines = try await provider.machines(ownedBy: owner)
        #expect(machines.map(\.state) == [.running, .running, .failed])
        #expect(machines.last?.message.contains("2 of 3") == true, "\(machines.last?.message ?? "")")
        // Returning the machine that was never made asks the plugin nothing.
        let before = try fixture.scriptsCalled().count
        #expect(await provider.returnMachines(PluginFixture.giveBack(["w-3"])).allSatisfy { $0.succeeded })
        #expect(try fixture.scriptsCalled().count == before)
        #expect(try await provider.machines(ownedBy: owner).map(\.id) == ["w-1", "w-2"])
    }

    @Test func aRequestCompleteAtLaunchHoldsRunningMachines() async throws {
        // ORB 1.8.5's RunInstances: `complete` at once, each machine `executing` for good.
        let fixture = try PluginFixture(control: ["finishAtLaunch": true])
        let provider = fixture.provider()
        _ = await provider.provision(PluginFixture.order(["w-1", "w-2"]))
        let machines = try await provider.machines(ownedBy: owner)
        #expect(machines.map(\.state) == [.running, .running])
        #expect(machines.allSatisfy { $0.message.contains("pending") }, "the plugin's own word is kept in the message")
    }

    @Test func machinesTheCloudTookAreLostAndCanBeReturned() async throws {
        let fixture = try PluginFixture()
        let provider = fixture.provider()
        _ = await provider.provision(PluginFixture.order(["w-1", "w-2", "w-3"]))
        #expect(try await provider.machines(ownedBy: owner).map(\.state) == [.running, .running, .running])
        try fixture.cloud("terminate", "m-2")
        try fixture.cloud("reclaim", "m-4")
        let machines = try await provider.machines(ownedBy: owner)
        #expect(machines.map(\.state) == [.lost, .running, .lost], "\(machines)")
        #expect(machines.last?.message.contains("getReturnRequests") == true)
        let returned = await provider.returnMachines(PluginFixture.giveBack(["w-1", "w-3"]))
        #expect(returned.allSatisfy { $0.succeeded })
        let giveBack = try #require(try fixture.calls().last { $0["script"] as? String == "requestReturnMachines" })
        #expect(((giveBack["input"] as? [String: Any])?["machines"] as? [[String: String]])?.compactMap { $0["machineId"] } == ["m-2", "m-4"])
        _ = try await provider.machines(ownedBy: owner)
        #expect(try await provider.machines(ownedBy: owner).map(\.id) == ["w-2"])
    }

    @Test func exitOneIsAProviderErrorWithThePluginsMessage() async throws {
        let fixture = try PluginFixture(control: ["fail": ["requestMachines": "quota exceeded for template small"]])
        let provider = fixture.provider()
        let outcomes = await provider.provision(PluginFixture.order(["w-1", "w-2"]))
        #expect(outcomes.count == 2)
        for outcome in outcomes {
            let error = try #require(outcome.error)
            #expect(error.code == "PluginFailed")
            #expect(error.message == "requestMachines.sh failed (exit 1): quota exceeded for template small")
            #expect(error.retryable)
        }
        #expect(try await provider.machines(ownedBy: owner).isEmpty, "a request never made holds nothing")

        // A template the plugin does not know: its own message, through the same path.
        try fixture.setControl([:])
        let unknown = await provider.provision(PluginFixture.order(["w-3"], template: PluginFixture.template("huge")))
        #expect(unknown.first?.error?.message.contains("template huge does not exist") == true)

        _ = await provider.provision(PluginFixture.order(["w-4"]))
        try fixture.setControl(["fail": ["getRequestStatus": "throttled, try later"]])
        await #expect {
            try await provider.machines(ownedBy: owner)
        } throws: { error in
            (error as? ProviderError)?.message == "getRequestStatus.sh failed (exit 1): throttled, try later"
        }
    }

    @Test func aReadOnlyScriptPastItsTimeoutIsKilledWithWhatItStarted() async throws {
        // getRequestStatus changes nothing: killing it at the timeout loses nothing.
        let fixture = try PluginFixture()
        let provider = fixture.provider(timeout: .seconds(1))
        _ = await provider.provision(PluginFixture.order(["w-1"]))
        try fixture.setControl(["hang": ["getRequestStatus"]])
        let started = Date()
        await #expect {
            try await provider.machines(ownedBy: owner)
        } throws: { error in
            (error as? ProviderError)?.code == "PluginTimeout" && (error as? ProviderError)?.message.contains("did not answer within 1s") == true
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 4.5, "1 s timeout and 2 s grace: took \(elapsed) s")
        let pids = try fixture.hangingPids()
        #expect(pids.count == 2)
        #expect(pids.allSatisfy { !PluginFixture.isAlive($0) }, "the script and the child it started are gone")
    }

    @Test func garbageAndNoise() async throws {
        let fixture = try PluginFixture(control: ["noise": true])
        let provider = fixture.provider()
        _ = await provider.provision(PluginFixture.order(["w-1"]))
        #expect(try await provider.machines(ownedBy: owner).map(\.state) == [.running], "log lines before the JSON are skipped")
        try fixture.setControl(["garbage": ["getRequestStatus"]])
        await #expect {
            try await provider.machines(ownedBy: owner)
        } throws: { error in
            guard let error = error as? ProviderError else { return false }
            return error.code == "PluginAnswerUnreadable" && error.message.contains("this is not JSON") && !error.retryable
        }
    }

    @Test func aMissingScriptIsSaidSo() async throws {
        let fixture = try PluginFixture()
        let empty = fixture.directory + "/no-scripts"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let outcomes = await fixture.provider(scripts: empty).provision(PluginFixture.order(["w-1"]))
        #expect(outcomes.first?.error?.code == "PluginScriptMissing")
        #expect(outcomes.first?.error?.message.contains("\(empty)/requestMachines.sh") == true)
    }

    @Test func aProviderThatStoppedMidCallFindsItsRequestAgain() async throws {
        // An orbrec wrote its intent and started requestMachines, then died: the script ended on
        // its own and left its answer. The next orbrec adopts the plugin's request.
        let fixture = try PluginFixture()
        let calls = fixture.workDirectory + "/.orbrec-hostfactory/calls"
        try FileManager.default.createDirectory(atPath: calls, withIntermediateDirectories: true)
        try LedgerWriter.writeIntent(in: fixture.workDirectory, call: "req-adopt", machines: ["w-1", "w-2"], owner: owner)
        try fixture.runScript("requestMachines", input: #"{"template": {"templateId": "small", "machineCount": 2}}"#, output: calls + "/req-adopt.out")
        // And one that never got as far as starting its script.
        try LedgerWriter.writeIntent(in: fixture.workDirectory, call: "req-never", machines: ["w-9"], owner: owner)

        let provider = fixture.provider()
        let machines = try await provider.machines(ownedBy: owner)
        #expect(machines.map(\.id) == ["w-1", "w-2"], "\(machines)")
        #expect(machines.map(\.providerID) == ["m-2", "m-3"])
        #expect(try fixture.scriptsCalled().filter { $0 == "requestMachines" }.count == 1, "adopted, not asked again")
        #expect(!FileManager.default.fileExists(atPath: calls + "/req-adopt.out"))
    }

    @Test func aCallStillRunningIsWaitedFor() async throws {
        let fixture = try PluginFixture()
        let calls = fixture.workDirectory + "/.orbrec-hostfactory/calls"
        try FileManager.default.createDirectory(atPath: calls, withIntermediateDirectories: true)
        try LedgerWriter.writeIntent(in: fixture.workDirectory, call: "req-busy", machines: ["w-1"], owner: owner)
        // The script of a dead orbrec still runs: it holds the call's lock.
        let lock = open(calls + "/req-busy.lock", O_RDWR | O_CREAT, 0o600)
        #expect(flock(lock, LOCK_EX) == 0)
        let provider = fixture.provider()
        let waiting = try await provider.machines(ownedBy: owner)
        #expect(waiting.map(\.state) == [.pending])
        #expect(waiting.first?.message == "requestMachines is running")
        // It ends, with its answer.
        try fixture.runScript("requestMachines", input: #"{"template": {"templateId": "small", "machineCount": 1}}"#, output: calls + "/req-busy.out")
        close(lock)
        let adopted = try await provider.machines(ownedBy: owner)
        #expect(adopted.map(\.providerID) == ["m-2"])
        #expect(adopted.map(\.state) == [.running])
    }
}
