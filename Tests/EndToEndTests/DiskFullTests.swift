import Foundation
import Glibc
import Testing

/// A daemon whose state lives on a small file system of its own (a real tmpfs) that fills
/// up while it runs, then gets its space back.
///
/// SQLite only: a full disk under a state FILE. A PostgreSQL server that cannot write is the
/// server's failure, seen as an unavailable state (OrbrecStoreTests).
@Suite("Disk full", .serialized)
struct DiskFullTests {
    /// A tmpfs of `size` mounted over `directory` (root only, as the sandbox and CI run).
    struct SmallFileSystem {
        let directory: String

        init(at directory: String, size: String) throws {
            self.directory = directory
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard Glibc.mount("tmpfs", directory, "tmpfs", 0, "size=\(size),mode=0755") == 0 else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM, userInfo: [NSLocalizedDescriptionKey: "mount tmpfs on \(directory) (needs root)"])
            }
        }

        /// Writes zeros to `name` until the file system refuses: ENOSPC.
        func fill(_ name: String) throws -> Int {
            let fd = open(directory + "/" + name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw POSIXError(.EIO) }
            defer { close(fd) }
            let chunk = [UInt8](repeating: 0, count: 4096)
            var total = 0
            while true {
                let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    guard errno == ENOSPC else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                    return total
                }
                total += written
            }
        }

        func unmount() { _ = umount2(directory, Int32(MNT_DETACH)) }
    }

    @Test("a full disk fails the pass: /readyz 503 with the reason, an error line, no lock wait; space back, it converges by itself")
    func aFullDiskFailsThePassAndWorkResumesWhenSpaceReturns() async throws {
        let h = try Harness()
        // The state's directory (state.db, its -wal and -shm, machine logs) is the small file system.
        let disk = try SmallFileSystem(at: (h.state as NSString).deletingLastPathComponent, size: "3m")
        defer { disk.unmount() }
        try h.writeFleet(count: 1)
        let daemon = try h.startDaemon()
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready with 1 machine") {
            let running = try await daemon.get("/api/v1/machines").array().filter { $0["state"] as? String == "running" }.count
            return try await daemon.get("/readyz").status == 200 && running == 1 ? true : nil
        }
        let stateID = try h.stateID()

        #expect(try disk.fill("filler") > 0)
        try h.writeFleet(count: 3)
        let failing = try await daemon.eventually("/readyz to go 503 naming the full disk", timeout: 30) { () -> [String: Any]? in
            let reply = try await daemon.get("/readyz")
            return reply.status == 503 && reply.body.contains("database or disk is full") ? try reply.object() : nil
        }
        let checks = failing["checks"] as? [[String: Any]] ?? []
        let reconcile = try #require(checks.first { $0["name"] as? String == "reconcile" })
        #expect(reconcile["ok"] as? Bool == false)
        #expect((reconcile["detail"] as? String ?? "").contains(h.state), "the reason names the state file")
        #expect(!checks.contains { $0["name"] as? String == "state-lock" }, "a full disk is not a lock holder")

        let log = daemon.log
        #expect(log.contains("level=error msg=\"reconcile pass failed: the state cannot be used\""), "\(log.suffix(3000))")
        #expect(!log.contains("waiting for the state lock"), "\(log.suffix(3000))")
        let status = try await daemon.get("/api/v1/resources").object()
        #expect(status["converged"] as? Bool == false)
        let row = try #require((status["resources"] as? [[String: Any]] ?? []).first { $0["resource"] as? String == "Fleet/workers" })
        #expect(row["sync"] as? String == "Unknown", "the old count is not reported as Synced: \(row)")
        #expect((row["message"] as? String ?? "").contains("database or disk is full"), "\(row)")
        #expect(h.machineProcesses(stateID: stateID).count == 1, "nothing was started without a journal")

        // Space returns: the daemon retries on its own (no signal, no request) and converges.
        try FileManager.default.removeItem(atPath: disk.directory + "/filler")
        _ = try await daemon.eventually("ready again with 3 machines", timeout: 40) {
            let running = try await daemon.get("/api/v1/machines").array().filter { $0["state"] as? String == "running" }.count
            return try await daemon.get("/readyz").status == 200 && running == 3 ? true : nil
        }
        let converged = try await daemon.get("/api/v1/resources").object()
        #expect(converged["converged"] as? Bool == true)
        let stopped = try daemon.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
        h.killMachines()
    }
}
