import Foundation
import Glibc
import Testing

/// A `type: hostfactory` provider end to end through the binary, driving a HostFactory
/// provider plugin's scripts as Symphony would: the test plugin (a pretend cloud in files).
/// The Open Resource Broker's own plugin against moto is in OpenResourceBrokerEndToEndTests.
@Suite(.serialized) struct HostFactoryEndToEndTests {
    @Test func aFleetConvergesALostMachineIsReplacedAndAReturnIsHonoured() throws {
        let h = try Harness()
        try h.writeTestPlugin(count: 3, control: ["polls": 2])
        let apply = try h.orbrec("apply", "--auto-approve")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try h.livePluginMachines().count == 3)
        let rows = try h.machineRows()
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0["state"] as? String == "running" }, "\(rows)")
        #expect(Set(rows.compactMap { $0["provider_id"] as? String }) == (try h.livePluginMachines()),
                "orbrec names each machine by the plugin's id: \(rows)")
        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0, "converged")

        // The cloud terminates one behind orbrec's back: getRequestStatus says `fail`, so it is lost and replaced.
        let victim = try #require(rows.first)
        let victimPluginID = try #require(victim["provider_id"] as? String)
        try h.pluginCloud("terminate", victimPluginID)
        let plan = try h.json(try h.orbrec("plan", "--json").stdout)
        let actions = plan["actions"] as? [[String: Any]] ?? []
        #expect(actions.contains { $0["verb"] as? String == "replace" && $0["reason"] as? String == "machine-lost"
            && ($0["machines"] as? [String] ?? []).contains(victim["id"] as? String ?? "?") }, "\(actions)")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(try h.livePluginMachines().count == 3)
        #expect(!(try h.livePluginMachines()).contains(victimPluginID))

        // One the cloud announces it will take (getReturnRequests) is replaced too.
        let reclaimed = try #require(try h.machineRows().first { $0["state"] as? String == "running" })
        try h.pluginCloud("reclaim", reclaimed["provider_id"] as? String ?? "?")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(try h.livePluginMachines().count == 3)
        #expect(!(try h.livePluginMachines()).contains(reclaimed["provider_id"] as? String ?? "?"))

        // `machines return` goes through requestReturnMachines; the fleet then makes up its count.
        let chosen = try #require(try h.machineRows().first { $0["state"] as? String == "running" })
        let chosenPluginID = chosen["provider_id"] as? String ?? "?"
        let returned = try h.orbrec("machines", "return", chosen["id"] as? String ?? "?")
        #expect(returned.status == 0, "\(returned.stdout)\(returned.stderr)")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(try h.pluginCloud()[chosenPluginID] == "terminated")
        #expect(try h.livePluginMachines().count == 3)
        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0)

        // Removing the fleet returns every machine through requestReturnMachines.
        try h.remove("fleet.yaml")
        let teardown = try h.orbrec("apply", "--auto-approve")
        #expect(teardown.status == 0, "\(teardown.stdout)\(teardown.stderr)")
        #expect(try h.livePluginMachines().isEmpty, "\(String(describing: try? h.pluginCloud()))")
        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0)
    }

    @Test(arguments: ["hostfactory.after-intent", "hostfactory.after-request-machines", "action.after-provider"])
    func killDuringProvisioningThenRerunGivesTheExactCount(_ failpoint: String) throws {
        let h = try Harness()
        try h.writeTestPlugin(count: 3)
        let killed = try h.orbrec(["apply", "--auto-approve"], environment: ["ORBREC_FAILPOINT": failpoint])
        #expect(killed.status == 137, "killed at \(failpoint): \(killed.status) \(killed.stderr)")
        let rerun = try h.orbrec("apply", "--auto-approve")
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        #expect(try h.livePluginMachines().count == 3, "\(failpoint): \(String(describing: try? h.pluginCloud()))")
        let rows = try h.machineRows().filter { $0["state"] as? String == "running" }
        #expect(Set(rows.compactMap { $0["provider_id"] as? String }) == (try h.livePluginMachines()))
        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0)
    }

    @Test func killedWhileTheScriptRunsTheRequestIsFoundAgain() throws {
        let h = try Harness()
        try h.writeTestPlugin(count: 2, control: ["slow": ["requestMachines": 3]])
        let apply = try h.startOrbrec("apply", "--auto-approve")
        // Killed while requestMachines.sh sleeps: the script goes on and answers into its file.
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: h.pluginWorkDirectory + "/calls.log") && Date() < deadline { usleep(50_000) }
        usleep(500_000)
        apply.kill9()
        _ = try apply.wait(timeout: 30)
        try h.setPluginControl([:])
        // The rerun finds the call still running (its lock held), holds its machines pending, and
        // waits until the script's answer lets them be found.
        let rerun = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "30s")
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        #expect(try h.livePluginMachines().count == 2, "\(String(describing: try? h.pluginCloud()))")
        let calls = (try? String(contentsOfFile: h.pluginWorkDirectory + "/calls.log", encoding: .utf8)) ?? ""
        #expect(calls.components(separatedBy: "\"requestMachines\"").count - 1 == 1, "the request was adopted, not made again")
    }

    @Test func aRequestPastItsTimeoutIsAdoptedNotMadeAgain() throws {
        // requestMachines answers after 4 s with a 1 s timeout: orbrec stops waiting but lets it
        // run, holds the fleet's machines pending, and adopts the answer when it comes.
        let h = try Harness()
        try h.writeTestPlugin(count: 2, control: ["slow": ["requestMachines": 4]], timeout: "1s")
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try h.livePluginMachines().count == 2, "\(String(describing: try? h.pluginCloud()))")
        let rows = try h.machineRows()
        #expect(rows.count == 2 && rows.allSatisfy { $0["state"] as? String == "running" }, "\(rows)")
        #expect(Set(rows.compactMap { $0["provider_id"] as? String }) == (try h.livePluginMachines()))
        let calls = (try? String(contentsOfFile: h.pluginWorkDirectory + "/calls.log", encoding: .utf8)) ?? ""
        #expect(calls.components(separatedBy: "\"requestMachines\"").count - 1 == 1, "one requestMachines, adopted")
        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0)
    }

    @Test func aPluginThatFailsIsReportedWithItsMessage() throws {
        let h = try Harness()
        try h.writeTestPlugin(count: 1, control: ["fail": ["requestMachines": "no capacity in zone b"]])
        let apply = try h.orbrec("apply", "--auto-approve", "--timeout", "10s")
        #expect(apply.status != 0)
        let requests = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "requests", "-o", "json").stdout.utf8)) as? [[String: Any]] ?? []
        #expect(requests.contains { ($0["message"] as? String ?? "").contains("requestMachines.sh failed (exit 1): no capacity in zone b") },
                "\(requests)")
    }
}
