import Foundation
import OrbrecTestSupport
import Testing

/// The daemon checks every pass against the policies: while a blocking violation stands it
/// carries out nothing and says so in /readyz and on the event stream; a fix lets it act.
@Suite(.serialized) struct DaemonPolicyTests {
    @Test("a blocking policy stops the daemon from acting until the configuration is fixed", arguments: TestStateBackend.allCases)
    func aBlockingPolicyHoldsTheDaemon(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 1)
        try harness.write("policy.yaml", """
            apiVersion: orbrec/v1
            kind: Policy
            metadata: {name: cap}
            spec:
              enforcement: soft-mandatory
              rules:
                - name: fleet-cap
                  match: {kinds: [Fleet]}
                  deny: "spec.count > 2"
                  message: "fleet {{metadata.name}} asks for {{spec.count}}; the cap is 2"
            """)
        let daemon = try harness.startDaemon()
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready with one machine") {
            let running = try await daemon.get("/api/v1/machines").array().filter { $0["state"] as? String == "running" }.count
            return try await daemon.get("/readyz").status == 200 && running == 1 ? true : nil
        }
        let stream = try await EventStreamReader.open(daemon.base + "/api/v1/events")
        let before = Set(try await daemon.actions().compactMap { $0["id"] as? String })

        try harness.writeFleet(count: 5)
        let readiness = try await daemon.eventually("readyz to name the policy") {
            let reply = try await daemon.get("/readyz")
            let checks = try reply.object()["checks"] as? [[String: Any]] ?? []
            return reply.status == 503 ? checks.first { $0["name"] as? String == "policy" } : nil
        }
        #expect(readiness["ok"] as? Bool == false)
        #expect((readiness["detail"] as? String ?? "").contains("fleet workers asks for 5; the cap is 2"), "\(readiness)")
        _ = try await daemon.eventually("the denial on the event stream") {
            stream.received.first { $0.data["to"] == "policy-denied" }
        }
        // Several observation passes later, still nothing was done.
        try await Task.sleep(for: .seconds(2))
        let after = try await daemon.actions().filter { !before.contains($0["id"] as? String ?? "") }
        #expect(after.isEmpty, "no action while the policy denies: \(after)")
        #expect(harness.machineProcesses(stateID: try harness.stateID()).count == 1)

        // Within the cap, the daemon acts again and is ready.
        try harness.writeFleet(count: 2)
        _ = try await daemon.eventually("two running machines") {
            try await daemon.get("/api/v1/machines").array().filter { $0["state"] as? String == "running" }.count == 2 ? true : nil
        }
        _ = try await daemon.eventually("ready again") { try await daemon.get("/readyz").status == 200 ? true : nil }
        _ = try await daemon.eventually("the all-clear on the event stream") {
            stream.received.first { $0.data["to"] == "policy-passed" }
        }
    }

    @Test("an operator's apply --policy-override lets the daemon act for that configuration", arguments: TestStateBackend.allCases)
    func anOverrideHoldsForTheDaemonUntilTheConfigurationChanges(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 3)
        try harness.write("policy.yaml", """
            apiVersion: orbrec/v1
            kind: Policy
            metadata: {name: cap}
            spec:
              enforcement: soft-mandatory
              rules:
                - name: fleet-cap
                  match: {kinds: [Fleet]}
                  deny: "spec.count > 2"
            """)
        let daemon = try harness.startDaemon()
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("the denial in readyz") { try await daemon.get("/readyz").status == 503 ? true : nil }
        #expect(harness.machineProcesses(stateID: try harness.stateID()).isEmpty)

        let apply = try harness.orbrec("apply", "--auto-approve", "--lock-timeout", "30s", "--policy-override", "CHG-7 load test")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        _ = try await daemon.eventually("ready: the override stands for this configuration") {
            try await daemon.get("/readyz").status == 200 ? true : nil
        }
        // The daemon acts again: a killed machine is replaced.
        let stateID = try harness.stateID()
        let victim = try #require(harness.machineProcesses(stateID: stateID).values.first)
        kill(victim, SIGKILL)
        _ = try await daemon.eventually("the lost machine replaced", timeout: 30) {
            let live = harness.machineProcesses(stateID: stateID)
            return live.count == 3 && !live.values.contains(victim) ? true : nil
        }
        // A new configuration needs an override of its own.
        try harness.writeFleet(count: 4)
        _ = try await daemon.eventually("held again after the change") { try await daemon.get("/readyz").status == 503 ? true : nil }
    }
}
