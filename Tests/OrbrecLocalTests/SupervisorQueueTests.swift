import Foundation
import Glibc
import OrbrecAttempts
import OrbrecCore
import OrbrecLocal
import Testing

/// The supervisor's queue (look-ahead): orders beyond the scheduler's slots or the pool's
/// parallelism wait in the supervisor and start as slots free, without orbrec; what waits is
/// observed, cancelled and, when its orbrec goes, dropped as interrupted: never started late.
@Suite struct SupervisorQueueTests {
    let owner = "st-queue-" + UUID().uuidString.lowercased().prefix(12)
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-queue-\(UUID().uuidString)").path

    init() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func order(_ keys: [String], _ argv: (String) -> [String], parallelism: Int? = nil) -> SubmitOrder {
        SubmitOrder(owner: owner, actionID: "act-queue", pool: "sims", env: [:], workdir: root, walltime: nil,
                    attempts: keys.map { SubmitOrder.Attempt(key: $0, attempt: 1, argv: argv($0)) }, parallelism: parallelism)
    }

    func handles(_ reports: [AttemptOutcomeReport]) -> [AttemptHandle] {
        reports.map { AttemptHandle(scheduler: "cpu", task: $0.task, attempt: $0.attempt, jobID: $0.jobID) }
    }

    /// Every open attempt, looked up as the engine does, until all have ended.
    func settled(_ scheduler: LocalScheduler, _ open: [AttemptHandle], within seconds: Double = 30) async throws -> [String: AttemptOutcome] {
        let deadline = Date().addingTimeInterval(seconds)
        var seen: [ObservedAttempt] = []
        while Date() < deadline {
            seen = try await scheduler.attempts(ownedBy: owner, open: open)
            #expect(seen.count == open.count, "no open attempt is ever missing (taken for lost): \(seen.count) of \(open.count)")
            if seen.count == open.count && seen.allSatisfy({ !$0.isRunning }) { break }
            try await Task.sleep(for: .milliseconds(30))
        }
        return Dictionary(seen.compactMap { attempt in attempt.outcome.map { (attempt.task.key, $0) } }, uniquingKeysWith: { first, _ in first })
    }

    /// Start and end times each command writes, to count how many ran at once.
    func mostAtOnce(_ log: String) -> Int {
        let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
        var events: [(Double, Int)] = []
        for line in lines {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let time = Double(parts[1]) else { continue }
            events.append((time, parts[0] == "start" ? 1 : -1))
        }
        var running = 0
        var most = 0
        // Ends before starts at the same instant: a slot freed and refilled is not two at once.
        for event in events.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            running += event.1
            most = max(most, running)
        }
        return most
    }

    @Test func ordersBeyondTheSlotsWaitInTheSupervisorAndStartAsSlotsFree() async throws {
        let scheduler = LocalScheduler(name: "cpu", root: root, runner: LocalSchedulerTests.runner, slots: 2)
        #expect(scheduler.queueAhead == 8)
        let log = root + "/times.log"
        let keys = (1...8).map { "t\($0)" }
        let reports = await scheduler.submit(order(keys) { _ in
            ["sh", "-c", "echo start $(date +%s.%N) >> \(log); sleep 0.2; echo end $(date +%s.%N) >> \(log)"]
        })
        #expect(reports.allSatisfy { $0.error == nil && $0.jobID != nil }, "\(reports)")
        let queued = reports.filter { $0.jobID?.hasPrefix("local:queue:") == true }
        #expect(reports.prefix(2).allSatisfy { $0.jobID?.hasPrefix("local:queue:") == false }, "the first two start at once")
        #expect(queued.count == 6, "the rest wait for a slot: \(reports.map { $0.jobID ?? "-" })")

        let outcomes = try await settled(scheduler, handles(reports))
        #expect(outcomes.count == 8)
        #expect(outcomes.values.allSatisfy { $0.exitCode == 0 }, "\(outcomes)")
        #expect(mostAtOnce(log) == 2, "never more than the slots at once")
        #expect(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count == 16, "every command ran once")
    }

    /// An attempt whose job was not journaled (a step's write failed) is looked for by the
    /// whole look, which finds no process for one still waiting in the queue: this process's
    /// supervisor says it waits, so it is not taken for lost (and run again beside itself).
    @Test func anAttemptWaitingInTheQueueWithoutAJournaledJobIsNotTakenForLost() async throws {
        let scheduler = LocalScheduler(name: "cpu", root: root, runner: LocalSchedulerTests.runner, slots: 1)
        let reports = await scheduler.submit(order(["first", "second"]) { _ in ["sleep", "1"] })
        #expect(reports.last?.jobID?.hasPrefix("local:queue:") == true, "\(reports)")
        let jobless = reports.map { AttemptHandle(scheduler: "cpu", task: $0.task, attempt: $0.attempt, jobID: nil) }
        let seen = try await scheduler.attempts(ownedBy: owner, open: jobless)
        #expect(seen.first { $0.task.key == "second" }?.isRunning == true, "waiting, not lost: \(seen)")
        #expect(seen.first { $0.task.key == "first" }?.isRunning == true, "running, found by its tags: \(seen)")
        let outcomes = try await settled(scheduler, handles(reports))
        #expect(outcomes.count == 2 && outcomes.values.allSatisfy { $0.exitCode == 0 }, "\(outcomes)")
    }

    @Test func aPoolsParallelismIsKeptByTheQueueWhileAnotherPoolUsesTheFreeSlots() async throws {
        let scheduler = LocalScheduler(name: "cpu", root: root, runner: LocalSchedulerTests.runner, slots: 4)
        let log = root + "/narrow.log"
        let narrow = await scheduler.submit(order(["n1", "n2", "n3"], { _ in
            ["sh", "-c", "echo start $(date +%s.%N) >> \(log); sleep 0.3; echo end $(date +%s.%N) >> \(log)"]
        }, parallelism: 1))
        var wide = order(["w1", "w2"]) { _ in ["sleep", "0.2"] }
        wide.pool = "wide"
        let others = await scheduler.submit(wide)
        #expect(narrow.filter { $0.jobID?.hasPrefix("local:queue:") == true }.count == 2, "the pool's parallelism holds two back")
        #expect(others.allSatisfy { $0.jobID?.hasPrefix("local:queue:") == false }, "another pool is not held behind them: \(others)")
        let outcomes = try await settled(scheduler, handles(narrow) + handles(others).map {
            AttemptHandle(scheduler: $0.scheduler, task: TaskID(pool: "wide", key: $0.task.key), attempt: 1, jobID: $0.jobID)
        })
        #expect(outcomes.count == 5 && outcomes.values.allSatisfy { $0.exitCode == 0 }, "\(outcomes)")
        #expect(mostAtOnce(log) == 1, "one of the narrow pool at a time")
    }

    @Test func aQueuedAttemptIsCancelledBeforeItStartsAndOneThatLeftTheQueueIsStopped() async throws {
        let scheduler = LocalScheduler(name: "cpu", root: root, runner: LocalSchedulerTests.runner, slots: 1)
        let marks = root + "/ran"
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        let reports = await scheduler.submit(order(["first", "second", "third"]) { key in
            ["sh", "-c", "touch \(marks)/\(key); sleep \(key == "first" ? "0.5" : "30")"]
        })
        let jobs = Dictionary(uniqueKeysWithValues: reports.map { ($0.task.key, $0.jobID ?? "") })
        #expect(jobs["second"]?.hasPrefix("local:queue:") == true && jobs["third"]?.hasPrefix("local:queue:") == true, "\(jobs)")

        // `third` waits behind `first` and `second`: cancelled, it never runs.
        let third = ObservedAttempt(scheduler: "cpu", task: TaskID(pool: "sims", key: "third"), attempt: 1, jobID: jobs["third"]!)
        let cancelled = await scheduler.cancel([third])
        #expect(cancelled.allSatisfy { $0.error == nil }, "\(cancelled)")

        // `second` leaves the queue when `first` ends, and runs: its cancel finds and stops it.
        #expect(await eventually(timeout: .seconds(15)) { FileManager.default.fileExists(atPath: marks + "/second") })
        let second = ObservedAttempt(scheduler: "cpu", task: TaskID(pool: "sims", key: "second"), attempt: 1, jobID: jobs["second"]!)
        let started = Date()
        let stopped = await scheduler.cancel([second])
        #expect(stopped.allSatisfy { $0.error == nil }, "\(stopped)")
        #expect(Date().timeIntervalSince(started) < 20, "stopped, not waited out")

        let outcomes = try await settled(scheduler, handles(reports))
        #expect(outcomes["first"]?.exitCode == 0)
        #expect(outcomes["second"]?.cancelled == true, "\(String(describing: outcomes["second"]))")
        #expect(outcomes["third"]?.cancelled == true, "\(String(describing: outcomes["third"]))")
        try await Task.sleep(for: .milliseconds(300))
        #expect(!FileManager.default.fileExists(atPath: marks + "/third"), "a cancelled queued attempt never starts")
    }

    /// The supervisor alone (`orbrec _supervise`), its orders written by this test: once its
    /// orbrec closes the orders (it exited or was killed), what waits is recorded interrupted
    /// (infra, retried by the rules) and never started, while what runs finishes and is recorded.
    @Test func whenItsOrbrecGoesWhatWaitsIsRecordedInterruptedAndNeverStarts() throws {
        let supervisor = Process()
        supervisor.executableURL = URL(fileURLWithPath: LocalSchedulerTests.runner)
        supervisor.arguments = ["_supervise", "--owner=\(owner)", "--scheduler=cpu", "--root=\(root)", "--grace-ms=2000"]
        let orders = Pipe()
        let replies = Pipe()
        supervisor.standardInput = orders
        supervisor.standardOutput = replies
        try supervisor.run()
        let marks = root + "/ran"
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        var lines = ""
        for (seq, key) in ["running", "waiting-1", "waiting-2"].enumerated() {
            let argv = ["sh", "-c", "touch \(marks)/\(key); sleep 0.5"]
            let json = try JSONSerialization.data(withJSONObject: [
                "op": "start", "seq": seq, "pool": "sims", "key": key, "attempt": 1, "argv": argv, "slots": 1,
            ] as [String: Any])
            lines += String(decoding: json, as: UTF8.self) + "\n"
        }
        orders.fileHandleForWriting.write(Data(lines.utf8))
        // Its three answers first (started, queued, queued), then the orders close.
        var answers = ""
        while answers.split(separator: "\n").count < 3 {
            let chunk = replies.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            answers += String(decoding: chunk, as: UTF8.self)
        }
        #expect(answers.contains("\"kind\":\"started\"") && answers.components(separatedBy: "\"kind\":\"queued\"").count == 3, "\(answers)")
        try orders.fileHandleForWriting.close()
        supervisor.waitUntilExit()

        func result(_ key: String) -> AttemptResult? {
            AttemptResult.read(from: AttemptFiles(root: root, pool: "sims", key: key).result(1))
        }
        #expect(result("running")?.exitCode == 0, "what ran is finished and recorded")
        for key in ["waiting-1", "waiting-2"] {
            let recorded = try #require(result(key), "a result for \(key)")
            #expect(recorded.interrupted && recorded.outcome.lost, "\(key) is recorded interrupted (infra): \(recorded)")
            #expect(!FileManager.default.fileExists(atPath: marks + "/" + key), "\(key) never started")
        }
    }
}
