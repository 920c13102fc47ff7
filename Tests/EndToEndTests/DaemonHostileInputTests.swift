import Foundation
import OrbrecTestSupport
import Testing

/// Issue 15, item 5: every case of the hostile-configuration corpus saved into a running
/// daemon's directory leaves it serving. The last valid configuration stays in force (its
/// machine keeps running, nothing is planned for the hostile files), `/readyz` answers 503
/// with the case's located diagnostic, the daemon is ready again once the files are gone,
/// and SIGTERM still stops it promptly at the end.
@Suite(.serialized) struct DaemonHostileInputTests {
    @Test(arguments: TestStateBackend.allCases)
    func theDaemonSurvivesEveryHostileCaseAndStopsOnSIGTERM(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 1)
        let base = Set(try FileManager.default.contentsOfDirectory(atPath: harness.config))
        let daemon = try harness.startDaemon(["--observe-interval", "500ms"])
        defer { _ = try? daemon.stop() }
        let stateID = try await daemon.eventually("the fleet's machine") { () -> String? in
            let id = try harness.stateID()
            return harness.machineProcesses(stateID: id).count == 1 ? id : nil
        }
        let machine = harness.machineProcesses(stateID: stateID)
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }

        for name in HostileCorpus.cases {
            _ = try HostileCorpus.prepare(name, in: harness.config)
            let expected = try String(contentsOfFile: "\(HostileCorpus.root)/\(name)/expected.txt", encoding: .utf8)
            // The first diagnostic's place and severity; its message may hold a placeholder.
            let located = try #require(expected.split(separator: "\n").first.flatMap { $0.components(separatedBy: ": error: ").first })
            // A reload asked for by signal too: the one the issue saw never finish.
            daemon.signal(SIGHUP)
            let unready = try await daemon.eventually("/readyz to report \(name)", timeout: 20) {
                let reply = try await daemon.get("/readyz")
                return reply.status == 503 && reply.body.contains("\(harness.config)/\(located): error: ") ? reply : nil
            }
            #expect(unready.body.contains("stays in force"), "\(name): \(unready.body.prefix(500))")
            #expect(harness.machineProcesses(stateID: stateID) == machine, "\(name): the running machine is left alone")
            #expect(try await daemon.get("/healthz").status == 200, "\(name): the daemon still serves")

            for entry in try FileManager.default.contentsOfDirectory(atPath: harness.config) where !base.contains(entry) {
                try FileManager.default.removeItem(atPath: "\(harness.config)/\(entry)")
            }
            // The watcher reports configuration files and directories, not a link named `a`
            // (nor a FIFO, a device or a directory reached through a link): after removing
            // those, a reload is asked for, as an operator would.
            daemon.signal(SIGHUP)
            _ = try await daemon.eventually("ready again after \(name)", timeout: 20) {
                try await daemon.get("/readyz").status == 200 ? true : nil
            }
        }
        #expect(harness.machineProcesses(stateID: stateID) == machine)
        #expect(!daemon.log.contains("Fatal error"), "\(daemon.log.suffix(2000))")

        let started = Date()
        let result = try daemon.stop(timeout: 15)
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        #expect(Date().timeIntervalSince(started) < 10, "SIGTERM took \(Date().timeIntervalSince(started))s")
    }
}
