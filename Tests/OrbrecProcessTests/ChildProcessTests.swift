import Foundation
import Glibc
import OrbrecProcess
import Testing

/// ChildProcess against real programs (coreutils, sh): what it captures, how its timeout
/// ends a child and its group, and that waiting holds no thread.
@Suite struct ChildProcessTests {
    @Test func capturesOutputStatusEnvironmentAndDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.path
        let exit = try await ChildProcess.run(ProcessLaunch(
            ["sh", "-c", "pwd; echo \"$ORBREC_TEST_VALUE\"; echo oops >&2; exit 3"],
            environment: ["ORBREC_TEST_VALUE": "from the environment", "PATH": "/usr/bin:/bin"], workingDirectory: directory,
            stdout: .capture(limit: 4096), stderr: .capture(limit: 4096)))
        #expect(exit.termination == .exited(3))
        #expect(exit.status == 3)
        #expect(!exit.succeeded)
        #expect(exit.stdout.text == "\(URL(fileURLWithPath: directory).resolvingSymlinksInPath().path)\nfrom the environment\n")
        #expect(exit.stderr.text == "oops\n")
        #expect(!exit.stdout.truncated && !exit.timedOut)
    }

    @Test func feedsStdinLargerThanAPipe() async throws {
        let input = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let exit = try await ChildProcess.run(ProcessLaunch(["cat"], stdin: .bytes(input), stdout: .capture(limit: 1 << 20)))
        #expect(exit.succeeded)
        #expect(exit.stdout.bytes == input)
    }

    @Test func aChildThatDoesNotReadItsStdinEndsNormally() async throws {
        let exit = try await ChildProcess.run(ProcessLaunch(["true"], stdin: .bytes([UInt8](repeating: 1, count: 1 << 20))))
        #expect(exit.termination == .exited(0))
    }

    @Test func aMissingProgramIsASpawnError() async throws {
        do {
            _ = try await ChildProcess.run(ProcessLaunch(["orbrec-no-such-program"]))
            Issue.record("a missing program started")
        } catch {
            #expect(error.isNotFound)
            #expect(error.program == "orbrec-no-such-program")
        }
    }

    @Test func theOutputCapKeepsTheFirstBytesAndStillDrainsTheRest() async throws {
        // 8 MiB through a 64 KiB pipe: the child only finishes if orbrec keeps reading past the cap.
        let exit = try await ChildProcess.run(ProcessLaunch(["head", "-c", "8388608", "/dev/zero"], stdout: .capture(limit: 1000)),
                                              timeout: .seconds(20))
        #expect(exit.termination == .exited(0))
        #expect(!exit.timedOut)
        #expect(exit.stdout.bytes.count == 1000)
        #expect(exit.stdout.truncated)
    }

    @Test func largeOutputIsCapturedWhole() async throws {
        let exit = try await ChildProcess.run(ProcessLaunch(["head", "-c", "5000000", "/dev/zero"], stdout: .capture(limit: 8 << 20)))
        #expect(exit.stdout.bytes.count == 5_000_000)
        #expect(!exit.stdout.truncated)
    }

    @Test func theTimeoutTerminatesTheChild() async throws {
        let started = ContinuousClock.now
        let exit = try await ChildProcess.run(ProcessLaunch(["sleep", "30"]), timeout: .milliseconds(200))
        #expect(exit.timedOut)
        #expect(exit.termination == .signaled(SIGTERM))
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aChildIgnoringTermIsKilledAfterTheGrace() async throws {
        let started = ContinuousClock.now
        let exit = try await ChildProcess.run(ProcessLaunch(["sh", "-c", "trap '' TERM; sleep 30; echo survived"],
                                                            stdout: .capture(limit: 100)),
                                              timeout: .milliseconds(200), grace: .milliseconds(300))
        let elapsed = ContinuousClock.now - started
        #expect(exit.timedOut)
        #expect(exit.termination == .signaled(SIGKILL))
        #expect(exit.stdout.text == "")
        #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(5))
    }

    @Test func theTimeoutEndsTheWholeGroup() async throws {
        let exit = try await ChildProcess.run(ProcessLaunch(["sh", "-c", "sleep 30 & echo $!; wait"], stdout: .capture(limit: 100)),
                                              timeout: .milliseconds(300))
        #expect(exit.timedOut)
        let grandchild = try #require(Int32(exit.stdout.text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try await Self.ends(grandchild))
    }

    @Test func endsGroupAtExitKillsWhatTheChildLeftRunning() async throws {
        let child = try ChildProcess.start(ProcessLaunch(["sh", "-c", "sleep 30 & echo $!"], stdout: .capture(limit: 100)),
                                           endsGroupAtExit: true)
        let exit = await child.wait()
        #expect(exit.termination == .exited(0))
        let grandchild = try #require(Int32(exit.stdout.text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try await Self.ends(grandchild))
    }

    @Test func aGrandchildHoldingThePipeDoesNotHoldTheWait() async throws {
        // As an ssh ControlMaster does: it outlives the command with the command's stderr open.
        let started = ContinuousClock.now
        let child = try ChildProcess.start(ProcessLaunch(["sh", "-c", "echo before; sleep 5 & exit 0"], stdout: .capture(limit: 100)))
        let exit = await child.wait()
        #expect(exit.stdout.text == "before\n")
        #expect(ContinuousClock.now - started < .seconds(3))
        _ = kill(-child.pid, SIGKILL)
    }

    @Test func aGrandchildThatKeepsWritingDoesNotHoldTheWait() async throws {
        // In a session of its own, so the child's end kills nothing: it writes for as long as
        // the pipe is open, and dies of SIGPIPE once orbrec's end is closed.
        let child = try ChildProcess.start(ProcessLaunch(["sh", "-c", "for i in 1 2 3 4; do setsid yes & done; sleep 0.3; exit 0"], stdout: .capture(limit: 1 << 16)))
        let exit = await child.wait(atMost: .seconds(20))
        #expect(exit?.termination == .exited(0), "the wait ended with the child")
        #expect(exit?.stdout.truncated == true)
    }

    @Test func waitAtMostLeavesTheChildRunning() async throws {
        let child = try ChildProcess.start(ProcessLaunch(["sleep", "0.5"]))
        #expect(await child.wait(atMost: .milliseconds(50)) == nil)
        #expect(kill(child.pid, 0) == 0)
        let exit = await child.wait()
        #expect(exit.termination == .exited(0))
        // A second waiter after the end is answered at once.
        #expect(await child.wait(atMost: .milliseconds(1)) == exit)
    }

    @Test func cancellingAWaitAtMostEndsTheWaitNotTheChild() async throws {
        let child = try ChildProcess.start(ProcessLaunch(["sleep", "30"]))
        let started = ContinuousClock.now
        let waiting = Task { await child.wait(atMost: .seconds(20)) }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        #expect(await waiting.value == nil)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(kill(child.pid, 0) == 0)
        child.terminate(grace: .milliseconds(100))
        #expect(await child.wait().termination == .signaled(SIGTERM))
    }

    @Test func cancellingTheWaitingTaskTerminatesTheChild() async throws {
        let started = ContinuousClock.now
        let task = Task { try await ChildProcess.run(ProcessLaunch(["sleep", "30"]), grace: .milliseconds(200)) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let exit = try await task.value
        #expect(exit.termination == .signaled(SIGTERM))
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    /// 64 children awaited at once on a two-core host: if each wait held a thread of the
    /// cooperative pool (as `waitUntilExit` does), they would run two at a time (6.4 s), and
    /// nothing else could run meanwhile.
    @Test func manyConcurrentWaitsNeitherQueueNorStarveOtherTasks() async throws {
        let started = ContinuousClock.now
        let ticker = Task { () -> Duration in
            for _ in 0..<20 { try? await Task.sleep(for: .milliseconds(5)) }
            return ContinuousClock.now - started
        }
        let exits = try await withThrowingTaskGroup(of: ChildExit.self) { group in
            for _ in 0..<64 {
                group.addTask { try await ChildProcess.run(ProcessLaunch(["sleep", "1"])) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - started
        let tickerDone = await ticker.value
        #expect(exits.count == 64)
        #expect(exits.allSatisfy { $0.termination == .exited(0) })
        #expect(elapsed < .seconds(4), "64 × sleep 1 awaited at once took \(elapsed)")
        // The ticker finished while all 64 were still running.
        #expect(tickerDone < .milliseconds(900), "a concurrent task took \(tickerDone) for 20 × 5 ms")
    }

    @Test func sixtyFourShortChildrenFinishFarFasterThanInSeries() async throws {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: ChildExit.self) { group in
            for _ in 0..<64 { group.addTask { try await ChildProcess.run(ProcessLaunch(["sleep", "0.2"])) } }
            for try await exit in group { #expect(exit.termination == .exited(0)) }
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .milliseconds(3200), "64 × sleep 0.2 took \(elapsed); in series 12.8 s")
    }

    /// Whether `pid` is gone (or a zombie waiting for init) within two seconds.
    static func ends(_ pid: Int32) async throws -> Bool {
        for _ in 0..<100 {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            if stat.isEmpty || stat.split(separator: ")").last?.dropFirst().first == "Z" { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
