import Foundation
import Glibc
import OrbrecAttempts
import OrbrecCore
import OrbrecLocal
import Synchronization
import Testing

/// The local scheduler with a real attempt supervisor (`orbrec _supervise` of the built binary).
@Suite struct LocalSchedulerTests {
    static let runner: String = {
        if let path = ProcessInfo.processInfo.environment["ORBREC_BIN"], !path.isEmpty { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/orbrec").path
    }()

    let owner = "st-sched-" + UUID().uuidString.lowercased().prefix(12)
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-sched-\(UUID().uuidString)").path

    var scheduler: LocalScheduler { LocalScheduler(name: "cpu", root: root, runner: Self.runner) }

    func order(_ attempts: [(String, [String])], walltime: ConfigDuration? = nil, env: [String: String] = [:]) -> SubmitOrder {
        SubmitOrder(owner: owner, actionID: "act-test", pool: "sims", env: env, workdir: root, walltime: walltime,
                    attempts: attempts.map { SubmitOrder.Attempt(key: $0.0, attempt: 1, argv: $0.1) })
    }

    /// Polls until every attempt of the pool has ended, or the time is up.
    func ended(_ scheduler: LocalScheduler, count: Int, within seconds: Double = 20) async throws -> [ObservedAttempt] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let attempts = try await scheduler.attempts(ownedBy: owner)
            if attempts.count == count && attempts.allSatisfy({ !$0.isRunning }) { return attempts }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("attempts did not end within \(seconds)s")
        return try await scheduler.attempts(ownedBy: owner)
    }

    @Test func attemptsRunToTheirEndWithExitCodesAndOutput() async throws {
        let scheduler = scheduler
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let reports = await scheduler.submit(order([
            ("ok", ["sh", "-c", "echo out-$GREETING; echo err >&2; sleep 0.3"]),
            ("bad key/with space", ["sh", "-c", "exit 3"]),
            ("missing", ["/nonexistent/program"]),
        ], env: ["GREETING": "hello"]))
        #expect(reports.allSatisfy { $0.jobID?.hasPrefix("local:") == true && $0.error == nil })
        let running = try await scheduler.attempts(ownedBy: owner)
        #expect(running.contains { $0.task.key == "ok" && $0.isRunning }, "a running attempt is found by its runner")
        #expect(try await LocalScheduler(name: "cpu", root: root, runner: Self.runner).attempts(ownedBy: "someone-else").isEmpty)

        let attempts = try await ended(scheduler, count: 3)
        let byKey = Dictionary(uniqueKeysWithValues: attempts.map { ($0.task.key, $0.outcome) })
        #expect(byKey["ok"]??.exitCode == 0)
        #expect(byKey["bad key/with space"]??.exitCode == 3)
        #expect(byKey["missing"]??.exitCode == 127)
        let files = AttemptFiles(root: root, pool: "sims", key: "ok")
        #expect(try String(contentsOfFile: files.stdout(1), encoding: .utf8) == "out-hello\n")
        #expect(try String(contentsOfFile: files.stderr(1), encoding: .utf8) == "err\n")
        let missing = try String(contentsOfFile: AttemptFiles(root: root, pool: "sims", key: "missing").stderr(1), encoding: .utf8)
        #expect(missing.contains("cannot start '/nonexistent/program'"))
    }

    /// A path longer than PATH_MAX can never be made: the submit says so (cannot-start, for
    /// the engine to dead-letter the task with the reason), rather than an infra failure that
    /// would be retried for ever. The other attempts of the order start as usual.
    @Test func anAttemptWhoseDirectoryCanNeverExistIsRefusedForGood() async throws {
        var deep = root
        while deep.utf8.count < 3_900 { deep += "/" + String(repeating: "d", count: 200) }
        try FileManager.default.createDirectory(atPath: deep, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let scheduler = LocalScheduler(name: "cpu", root: deep, runner: Self.runner)
        let long = String(repeating: "k", count: 250)
        let reports = await scheduler.submit(order([(long, ["true"]), ("short", ["true"])]))
        let refused = try #require(reports.first { $0.task.key == long })
        #expect(refused.jobID == nil)
        #expect(refused.error?.code == ProviderError.cannotStart)
        #expect(refused.error?.message.contains("File name too long") == true)
        #expect(AttemptOutcome.notStarted(refused.error).unstartable != nil)
        #expect(reports.first { $0.task.key == "short" }?.jobID?.hasPrefix("local:") == true)
    }

    @Test func theWalltimeStopsTheWholeGroup() async throws {
        let scheduler = scheduler
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let started = Date()
        _ = await scheduler.submit(order([("slow", ["sh", "-c", "sleep 30 & sleep 30; wait"])], walltime: ConfigDuration(milliseconds: 500)))
        let attempts = try await ended(scheduler, count: 1)
        let outcome = try #require(attempts.first?.outcome)
        #expect(outcome.timedOut)
        #expect(outcome.failureClass == .timeout)
        // Loose on purpose: the suite runs beside hundreds of processes; EndToEnd TaskPoolTests pin the timing.
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(!sleepersRemain(), "no sleep of the attempt's group survives")
    }

    @Test func aCancelStopsTheAttemptAndRecordsIt() async throws {
        let scheduler = scheduler
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        _ = await scheduler.submit(order([("long", ["sleep", "30"])]))
        // A full scan finds an attempt by the tags of its exec'd image: on a loaded machine the
        // command may not have exec'd yet when submit returns (a known window of the full scan;
        // the engine looks open attempts up by job id instead).
        var running: [ObservedAttempt] = []
        for _ in 0..<100 where running.isEmpty {
            running = try await scheduler.attempts(ownedBy: owner)
            if running.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(running.count == 1)
        let reports = await scheduler.cancel(running)
        #expect(reports.allSatisfy { $0.error == nil })
        let attempts = try await ended(scheduler, count: 1)
        #expect(attempts.first?.outcome?.cancelled == true)
    }

    @Test func everyEndIsAnnouncedAsItHappensAndOpenAttemptsAreLookedUpOneByOne() async throws {
        let ends = AttemptEnds()
        let announced = Mutex<[ObservedAttempt]>([])
        ends.listen { announced.withLock { $0 += ends.take() } }
        let scheduler = LocalScheduler(name: "cpu", root: root, runner: Self.runner, ends: ends)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let reports = await scheduler.submit(order([("quick", ["true"]), ("fails", ["sh", "-c", "exit 4"]), ("slow", ["sleep", "30"])]))
        #expect(reports.allSatisfy { $0.jobID != nil }, "\(reports)")
        let deadline = Date().addingTimeInterval(10)
        while announced.withLock({ $0.count }) < 2 && Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let byKey = Dictionary(announced.withLock { $0 }.map { ($0.task.key, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byKey["quick"]?.outcome?.exitCode == 0, "the end of 'true' is announced without anyone looking")
        #expect(byKey["fails"]?.outcome?.exitCode == 4)
        #expect(byKey["slow"] == nil, "a running attempt is not announced")

        // The journal's open attempts, one by one: the running one by its process, the ended ones by
        // their result file; an attempt that never started is left out (the engine takes it as lost).
        func handle(_ key: String) -> AttemptHandle {
            AttemptHandle(scheduler: "cpu", task: TaskID(pool: "sims", key: key), attempt: 1,
                          jobID: reports.first { $0.task.key == key }?.jobID)
        }
        let never = AttemptHandle(scheduler: "cpu", task: TaskID(pool: "sims", key: "never"), attempt: 1, jobID: nil)
        let open = try await scheduler.attempts(ownedBy: owner, open: [handle("quick"), handle("slow"), never])
        #expect(open.first { $0.task.key == "slow" }?.isRunning == true)
        #expect(open.first { $0.task.key == "quick" }?.outcome?.exitCode == 0)
        #expect(!open.contains { $0.task.key == "never" })
        _ = await scheduler.cancel(open.filter(\.isRunning))
    }

    @Test func aCommandWhoseSupervisorWasKilledIsStoppedAndNotReported() async throws {
        let scheduler = scheduler
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let reports = await scheduler.submit(order([("orphan", ["sleep", "30"])]))
        let jobID = try #require(reports.first?.jobID)
        let supervisor = try #require(supervisorPID())
        kill(supervisor, SIGKILL)
        // Dead, by its own state (zombie or reaped): its environment goes unreadable a moment earlier.
        func dead() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(supervisor)/stat", encoding: .utf8) else { return true }
            return stat.contains(") Z ") || stat.contains(") X ")
        }
        let deadline = Date().addingTimeInterval(5)
        while !dead() && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(dead(), "the supervisor was killed")
        let handle = AttemptHandle(scheduler: "cpu", task: TaskID(pool: "sims", key: "orphan"), attempt: 1, jobID: jobID)
        let seen = try await scheduler.attempts(ownedBy: owner, open: [handle])
        #expect(seen.isEmpty, "no one will record its end: lost")
        let gone = Date().addingTimeInterval(5)
        while sleepersRemain() && Date() < gone { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!sleepersRemain(), "the orphaned command does not run beside its retry")
        // The next submit starts a new supervisor.
        let again = await scheduler.submit(order([("after", ["true"])]))
        #expect(again.first?.jobID != nil)
    }

    /// The supervisor of this test's owner, if one runs.
    func supervisorPID() -> Int32? {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ"),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), !stat.contains(") Z ") else { return nil }
            let text = String(decoding: environ, as: UTF8.self)
            return text.contains("ORBREC_MANAGED_BY=\(owner)") && text.contains("ORBREC_ROLE=supervisor") ? pid : nil
        }.first
    }

    /// Whether any process started with this test's owner tag still runs.
    func sleepersRemain() -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).contains { entry in
            guard let pid = Int32(entry), let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ"),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), !stat.contains(") Z ") else { return false }
            let text = String(decoding: environ, as: UTF8.self)
            // The supervisor carries the owner tag too, and waits for its orbrec: not one of the attempt's processes.
            return text.contains("ORBREC_MANAGED_BY=\(owner)") && !text.contains("ORBREC_ROLE=supervisor")
        }
    }
}
