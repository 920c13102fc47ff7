import Foundation
import OrbrecTestSupport
import Testing

/// `orbrec apply` and the daemon's pass are one engine operation (`Reconciler.applyPass`): on
/// the same configuration they leave the same journal and record the same conditions, with
/// real `orbrec` processes on real states and real local machines.
@Suite("One apply pass for the CLI and the daemon", .serialized)
struct ApplyPassParityTests {
    /// An action as both channels journal it, without its id and times.
    static func actions(_ h: Harness) throws -> [String] {
        try h.history().map { action in
            ["verb", "resource", "reason", "state"].map { "\(action[$0] ?? "-")" }.joined(separator: " ")
        }.sorted()
    }

    /// The conditions the journal recorded for a resource (`describe -o json`), without their times.
    static func conditions(_ h: Harness, _ resource: String) throws -> [String] {
        let described = try h.orbrec("describe", resource, "-o", "json")
        #expect(described.status == 0, "\(described.stderr)")
        let document = try h.json(described.stdout)
        return (document["conditions"] as? [[String: Any]] ?? []).map { condition in
            ["type", "status", "reason", "message"].map { "\(condition[$0] ?? "-")" }.joined(separator: " ")
        }.sorted()
    }

    @Test("apply and the daemon's pass leave the same journal and conditions", arguments: TestStateBackend.allCases)
    func applyAndTheDaemonPassAgree(_ backend: TestStateBackend) async throws {
        let byCLI = try Harness(backend: backend)
        let byDaemon = try Harness(backend: backend)
        for h in [byCLI, byDaemon] { try h.writeFleet(count: 2) }
        defer {
            for h in [byCLI, byDaemon] { _ = try? h.orbrec("destroy", "--auto-approve") }
        }

        // Without --wait: `apply --wait` records through its own loop (converge), not the pass.
        // The second apply, once the machines run, records what the pass sees of them.
        let apply = try byCLI.orbrec("apply", "--auto-approve")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let machines = try byCLI.json("{\"m\": " + byCLI.orbrec("get", "machines", "-o", "json").stdout + "}")["m"] as? [[String: Any]] ?? []
            if machines.filter({ $0["state"] as? String == "running" }).count == 2 { break }
            usleep(100_000)
        }
        let again = try byCLI.orbrec("apply", "--auto-approve")
        #expect(again.status == 0 && again.stdout.contains("No changes"), "\(again.stdout)\(again.stderr)")

        let daemon = try byDaemon.startDaemon()
        _ = try await daemon.eventually("2 running machines and the fleet recorded synced", timeout: 60) {
            let running = try await daemon.get("/api/v1/machines").array().filter { $0["state"] as? String == "running" }.count
            let synced = try Self.conditions(byDaemon, "Fleet/workers").contains { $0.hasPrefix("Synced True") }
            return running == 2 && synced ? true : nil
        }
        let stopped = try daemon.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")

        let journal = try Self.actions(byCLI)
        #expect(journal.count == 1 && journal.allSatisfy { $0.hasPrefix("provision Fleet/workers ") && $0.hasSuffix(" succeeded") },
                "\(journal)")
        #expect(try Self.actions(byDaemon) == journal)
        for resource in ["Fleet/workers", "Template/sleeper", "Provider/here"] {
            let recorded = try Self.conditions(byCLI, resource)
            #expect(!recorded.isEmpty, "\(resource): no conditions recorded by apply")
            #expect(try Self.conditions(byDaemon, resource) == recorded, "\(resource)")
        }
    }
}
