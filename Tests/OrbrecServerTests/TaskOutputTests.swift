import Dispatch
import Foundation
import Glibc
import HTTPTypes
import Synchronization
@testable import OrbrecServer
import Testing

/// What the console's logs route reads: an attempt's output file, and only that. The attempt's
/// command runs as the daemon's user and can put anything at its output's path.
@Suite struct TaskOutputTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-task-output-\(UUID().uuidString.lowercased())").path

    func attemptDirectory() throws -> String {
        let directory = root + "/jobs/k1"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func readsTheAttemptsOutputAndKeepsTheEndOfALongOne() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = try attemptDirectory()
        try "hello\n".write(toFile: directory + "/1.out", atomically: false, encoding: .utf8)
        #expect(try TaskOutput(taskDirectory: root).read(pool: "jobs", key: "k1", attempt: 1, stream: .stdout, recordedLocation: nil) == "hello\n")
        let long = String(repeating: "a", count: TaskOutput.maxBytes) + "the end"
        try long.write(toFile: directory + "/2.out", atomically: false, encoding: .utf8)
        let text = try TaskOutput(taskDirectory: root).read(pool: "jobs", key: "k1", attempt: 2, stream: .stdout, recordedLocation: nil)
        #expect(text.hasPrefix("[… the first 7 bytes are left out]\n") && text.hasSuffix("the end"))
    }

    /// An attempt that replaced its output with a link to a file of the daemon's user (its
    /// tokens file, an SSH key) must not hand that file to every reader of the API.
    @Test func aSymbolicLinkIsNotFollowed() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = try attemptDirectory()
        try "secret-of-the-daemon\n".write(toFile: root + "/secret", atomically: false, encoding: .utf8)
        #expect(symlink(root + "/secret", directory + "/1.out") == 0)
        do {
            let text = try TaskOutput(taskDirectory: root).read(pool: "jobs", key: "k1", attempt: 1, stream: .stdout, recordedLocation: nil)
            Issue.record("the link was followed: \(text)")
        } catch let error as APIError {
            #expect(error.status == .notFound)
        }
    }

    /// A FIFO at the output's path: opening it to read would wait for a writer, holding a
    /// thread of the daemon for as long as none comes.
    @Test func aFIFOIsRefusedAtOnce() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = try attemptDirectory()
        let fifo = directory + "/1.err"
        #expect(mkfifo(fifo, 0o600) == 0)
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<String?>(nil)
        Thread.detachNewThread {
            do {
                let text = try TaskOutput(taskDirectory: root).read(pool: "jobs", key: "k1", attempt: 1, stream: .stderr, recordedLocation: nil)
                outcome.withLock { $0 = "read: \(text)" }
            } catch {
                outcome.withLock { $0 = "refused" }
            }
            done.signal()
        }
        let answered = done.wait(timeout: .now() + 5) == .success
        if !answered {
            // Let the blocked reader go (a writer opens the FIFO) before failing.
            let writer = open(fifo, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            _ = done.wait(timeout: .now() + 5)
        }
        #expect(answered, "reading a FIFO at the output's path blocked")
        #expect(outcome.withLock { $0 } == "refused")
    }
}
