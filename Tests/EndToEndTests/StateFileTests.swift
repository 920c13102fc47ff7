import Foundation
import Glibc
import Testing

/// The state file through the binary: what is not an orbrec state is refused and left as it
/// was, and what orbrec creates only its owner can read.
///
/// SQLite only: these are about the file (its bytes, its mode). PostgreSQL's counterparts (a
/// schema of other tables refused and left alone) are in OrbrecStoreTests and PostgresStateEndToEndTests.
@Suite struct StateFileEndToEndTests {
    /// A SQLite database that is someone else's: one table `t`, made byte by byte (page 1 holds
    /// the header and the schema with one row, page 2 the table's empty leaf), so the test
    /// needs no SQLite of its own.
    static func foreignDatabase() -> [UInt8] {
        let pageSize = 4096
        var file = [UInt8](repeating: 0, count: pageSize * 2)
        func put32(_ value: UInt32, at offset: Int) { for index in 0..<4 { file[offset + index] = UInt8((value >> (24 - 8 * UInt32(index))) & 0xff) } }
        file.replaceSubrange(0..<16, with: Array("SQLite format 3\u{0}".utf8))
        file[16] = 0x10; file[17] = 0x00                  // page size 4096
        file[18] = 1; file[19] = 1                        // rollback journal, not WAL
        file[21] = 64; file[22] = 32; file[23] = 32       // payload fractions
        put32(1, at: 24)                                  // change counter
        put32(2, at: 28)                                  // pages
        put32(1, at: 40)                                  // schema cookie
        put32(4, at: 44)                                  // schema format
        put32(1, at: 56)                                  // UTF-8
        put32(1, at: 92)                                  // version-valid-for = change counter
        put32(3_045_000, at: 96)
        // The schema row: ("table", "t", "t", 2, "CREATE TABLE t(x)").
        let sql = Array("CREATE TABLE t(x)".utf8)
        let header: [UInt8] = [6, UInt8(2 * 5 + 13), 15, 15, 1, UInt8(2 * sql.count + 13)]
        let payload = header + Array("table".utf8) + Array("t".utf8) + Array("t".utf8) + [2] + sql
        let cell = [UInt8(payload.count), 1] + payload
        let start = pageSize - cell.count
        file.replaceSubrange(start..<pageSize, with: cell)
        file[100] = 0x0d                                  // leaf table page
        file[103] = 0; file[104] = 1                      // one cell
        file[105] = UInt8(start >> 8); file[106] = UInt8(start & 0xff)
        file[108] = UInt8(start >> 8); file[109] = UInt8(start & 0xff)
        file[pageSize] = 0x0d                             // page 2: t's empty leaf
        file[pageSize + 5] = 0x10; file[pageSize + 6] = 0x00
        return file
    }

    func mode(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : nil
    }

    @Test("a 0-byte, a text or a foreign SQLite state file is refused naming it, exit 1, and left untouched")
    func aStateFileThatIsNotAnOrbrecStateIsRefused() throws {
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "is empty (0 bytes)"),
            ("text", Array("not a database, but long enough to hold a header\n".utf8), "is not a SQLite database"),
            ("foreign", Self.foreignDatabase(), "is a SQLite database but not an orbrec state"),
        ]
        for (name, bytes, reason) in cases {
            let h = try Harness()
            try h.writeFleet(count: 1)
            try FileManager.default.createDirectory(atPath: (h.state as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: h.state))
            for arguments in [["plan"], ["apply", "--auto-approve"], ["status"], ["lock", "status"]] {
                let result = try h.orbrec(arguments)
                #expect(result.status == 1, "\(name) \(arguments): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains("the state file \(h.state) \(reason)"), "\(name) \(arguments): \(result.stderr)")
            }
            let daemon = try h.run(["run", "-c", h.config, "--state", h.state, "--listen", "127.0.0.1:0"], timeout: 30)
            #expect(daemon.status == 1, "\(name) run: \(daemon.status) \(daemon.stderr)")
            #expect(daemon.stderr.contains("the state file \(h.state) \(reason)"), "\(name) run: \(daemon.stderr)")
            #expect(FileManager.default.contents(atPath: h.state).map { [UInt8]($0) } == bytes, "\(name): the file is as it was")
            #expect(!FileManager.default.fileExists(atPath: h.state + "-wal"), "\(name): SQLite never opened it for writing")
        }
    }

    @Test("a new state is 0600 (with its -wal and -shm) in a 0700 directory; task outputs and machine logs under 0700 roots")
    func aNewStateAndItsOutputsAreOwnerOnly() async throws {
        let h = try Harness()
        defer { h.killTasks() }
        try h.writeFleet(count: 1)
        try h.writePool(slots: 1, spec: """
            range: {from: 1, to: 1}
            command: ["sh", "-c", "echo secret-output"]
            """)
        let daemon = try h.startDaemon()
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("the task completed and the machine running", timeout: 30) {
            let tasks = try await daemon.get("/api/v1/tasks?pool=sims").array()
            let machines = try await daemon.get("/api/v1/machines").array().filter { $0["state"] as? String == "running" }
            return tasks.first?["state"] as? String == "completed" && machines.count == 1 ? true : nil
        }
        let stateDirectory = (h.state as NSString).deletingLastPathComponent
        #expect(mode(stateDirectory) == 0o700)
        // While the daemon runs, SQLite's -wal and -shm exist beside the database.
        for file in [h.state, h.state + "-wal", h.state + "-shm"] {
            #expect(mode(file) == 0o600, "\(file): \(String(mode(file) ?? 0, radix: 8))")
        }
        #expect(mode(h.taskDirectory) == 0o700)
        #expect(mode(stateDirectory + "/machines") == 0o700)
        let output = try #require(FileManager.default.subpathsOfDirectory(atPath: h.taskDirectory).first { $0.hasSuffix(".out") })
        #expect(try String(contentsOfFile: h.taskDirectory + "/" + output, encoding: .utf8).contains("secret-output"))
        #expect(try daemon.stop().status == 0)
        h.killMachines()
    }
}
