import Foundation
import Glibc
import OrbrecProcess
import Testing

/// DetachedProcess: a child in a session of its own, its output in a file, reaped by its starter.
@Suite struct DetachedProcessTests {
    @Test func startsInASessionOfItsOwnWithItsOutputInAFile() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-detached-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let pid = try DetachedProcess.spawn(ProcessLaunch(["sh", "-c", "echo out; echo err >&2; cat /proc/self/stat"],
                                                          environment: ["PATH": "/usr/bin:/bin"],
                                                          stdout: .file(log), stderr: .stdout, grouping: .session))
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        #expect(status == 0)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.hasPrefix("out\nerr\n"))
        // Its own session: the session id (field 6 of stat, the 4th after the name) is not orbrec's.
        let fields = text.split(separator: "\n")[2].split(separator: ")").last!.split(separator: " ")
        #expect(Int32(fields[3]) != getsid(0))
    }

    @Test func refusesWhatOnlyAWatchedChildCanDo() {
        #expect(throws: SpawnError.self) { try DetachedProcess.spawn(ProcessLaunch(["true"], stdout: .capture(limit: 10))) }
        #expect(throws: SpawnError.self) { try DetachedProcess.spawn(ProcessLaunch(["true"], stdin: .bytes([1]))) }
    }

    @Test func givesOnlyTheDescriptorsItIsHanded() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-fds-\(UUID().uuidString).log").path
        defer { unlink(log) }
        // An open descriptor of this process without close-on-exec, as the daemon's socket is,
        // at a number above any the child opens for itself.
        let opened = open("/dev/null", O_RDONLY)
        let stray = dup2(opened, 60)
        close(opened)
        defer { close(stray) }
        let handed = open("/dev/null", O_RDONLY)
        defer { close(handed) }
        let pid = try DetachedProcess.spawn(ProcessLaunch(["ls", "/proc/self/fd"], stdout: .file(log), descriptors: [5: handed]))
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        let fds = Set(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").compactMap { Int32($0) })
        #expect(stray == 60)
        #expect(fds.isSuperset(of: [0, 1, 2, 5]))
        // Besides those, only what ls opened itself (its directory), below the handed 5.
        #expect(!fds.contains(stray))
        #expect(fds.subtracting([0, 1, 2, 5]).allSatisfy { $0 < 5 }, "descriptors in the child: \(fds.sorted())")
    }
}
