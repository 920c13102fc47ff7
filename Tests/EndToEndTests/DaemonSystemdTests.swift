import Foundation
import OrbrecTestSupport
import Testing

/// The daemon under a stand-in for systemd: a datagram socket at `NOTIFY_SOCKET` that
/// collects what sd_notify sends, and `JOURNAL_STREAM` set for priority-prefixed logs.
@Suite("Daemon under systemd", .serialized)
struct DaemonSystemdTests {
    /// A bound AF_UNIX datagram socket that reads messages in the background.
    final class NotifySocket: @unchecked Sendable {
        let path: String
        let fd: Int32
        private let lock = NSLock()
        private var messages: [String] = []
        private var reader: Thread?

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in bytes.enumerated() { raw[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard fd >= 0, bound == 0 else { throw POSIXError(.EADDRINUSE) }
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let thread = Thread { [weak self] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                while let self, !Thread.current.isCancelled {
                    let count = recv(self.fd, &buffer, buffer.count, 0)
                    if count > 0 { self.append(String(decoding: buffer[0..<count], as: UTF8.self)) }
                }
            }
            reader = thread
            thread.start()
        }

        private func append(_ message: String) { lock.withLock { messages.append(message) } }
        var received: [String] { lock.withLock { messages } }

        func close() {
            reader?.cancel()
            usleep(200_000)
            Glibc.close(fd)
            unlink(path)
        }
    }

    @Test("READY, STATUS, WATCHDOG at half of WATCHDOG_USEC, RELOADING with MONOTONIC_USEC on SIGHUP, STOPPING; journal priorities", arguments: TestStateBackend.allCases)
    func notifications(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 1)
        let socket = try NotifySocket(path: harness.directory + "/notify.sock")
        defer { socket.close() }
        let daemon = try harness.startDaemon(environment: [
            "NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000", "JOURNAL_STREAM": "8:12345",
        ])
        _ = try await daemon.eventually("READY=1") { socket.received.contains { $0.contains("READY=1") } ? true : nil }
        // Pings about every 200 ms (half of 400 ms): never a gap systemd would take for a hang.
        var pings: [Date] = []
        var seen = socket.received.filter { $0 == "WATCHDOG=1" }.count
        let until = Date().addingTimeInterval(1.5)
        while Date() < until {
            let count = socket.received.filter { $0 == "WATCHDOG=1" }.count
            if count > seen { pings.append(Date()); seen = count }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(pings.count >= 3, "\(pings.count) WATCHDOG=1 in 1.5 s: \(socket.received)")
        let gaps = zip(pings.dropFirst(), pings).map { $0.timeIntervalSince($1) }
        #expect((gaps.max() ?? 1) < 0.4, "a gap as long as WATCHDOG_USEC: \(gaps)")
        #expect(socket.received.contains { $0.hasPrefix("STATUS=") && $0.contains("revision") })

        // Machines do not inherit the notification socket: they must not speak for orbrec.
        let machine = try await daemon.eventually("a machine") { harness.machineProcesses(stateID: try harness.stateID()).values.first }
        let environ = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "/proc/\(machine)/environ")), as: UTF8.self)
        #expect(!environ.contains("NOTIFY_SOCKET=") && !environ.contains("WATCHDOG_USEC="))

        // SIGHUP reloads: a change made without a file event (here: none needed) is acted on,
        // and systemd hears RELOADING then READY.
        func passes() async throws -> Int {
            let line = try await daemon.get("/metrics").body.split(separator: "\n")
                .first { $0.hasPrefix("orbrec_reconcile_passes_total{outcome=\"succeeded\"}") }
            return Int(line?.split(separator: " ").last ?? "") ?? -1
        }
        let passesBefore = try await passes()
        daemon.signal(SIGHUP)
        let reloading = try await daemon.eventually("RELOADING=1") { socket.received.first { $0.hasPrefix("RELOADING=1") } }
        let lines = reloading.split(separator: "\n")
        let monotonic = try #require(lines.first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nowMicros = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        #expect(monotonic <= nowMicros && nowMicros - monotonic < 10_000_000, "MONOTONIC_USEC must be CLOCK_MONOTONIC in µs")
        let afterReload = try await daemon.eventually("READY=1 after the reload") { () -> Bool? in
            let all = socket.received
            guard let index = all.firstIndex(where: { $0.hasPrefix("RELOADING=1") }) else { return nil }
            return all[(index + 1)...].contains { $0.contains("READY=1") } ? true : nil
        }
        #expect(afterReload)
        _ = try await daemon.eventually("a pass after SIGHUP") { try await passes() > passesBefore ? true : nil }

        let result = try daemon.stop()
        #expect(result.status == 0)
        #expect(socket.received.contains { $0.hasPrefix("STOPPING=1") })
        let logLines = result.stderr.split(separator: "\n")
        #expect(!logLines.isEmpty)
        #expect(logLines.allSatisfy { $0.hasPrefix("<") }, "every line carries a priority under journald")
        #expect(logLines.contains { $0.hasPrefix("<6>level=info msg=listening") })
        #expect(logLines.allSatisfy { $0.drop { $0 != ">" }.dropFirst().hasPrefix("level=") }, "journald adds the time itself: no ts=")
    }
}
