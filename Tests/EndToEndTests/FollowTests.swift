import Foundation
import OrbrecTestSupport
import Testing

/// Following through the binary: `events` (resumable by sequence number, `-f` as events are
/// written), `status --watch` and `get tasks --watch` printing a block per change in a pipe,
/// and `tasks logs -f` following an attempt's output on to the next attempt. SIGINT ends
/// every follow with exit 0.
@Suite("Following", .serialized)
struct FollowTests {
    /// Waits until the running process's stdout satisfies `done`; returns that output.
    static func output(of running: Harness.Running, timeout: Double = 60, until done: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: running.outputFile, encoding: .utf8)) ?? ""
            if done(text) { return text }
            try await Task.sleep(for: .milliseconds(100))
        }
        let text = (try? String(contentsOfFile: running.outputFile, encoding: .utf8)) ?? ""
        Issue.record("timed out; stdout so far: \(text)\nstderr: \((try? String(contentsOfFile: running.errorFile, encoding: .utf8)) ?? "")")
        return text
    }

    static func interrupt(_ running: Harness.Running) throws -> Harness.Result {
        kill(running.pid, SIGINT)
        return try running.wait(timeout: 30)
    }

    static func eventLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not one JSON document: \(line)")
        }
    }

    @Test(arguments: TestStateBackend.allCases)
    func eventsAreNumberedResumableAndFollowed(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 1)
        #expect(try harness.orbrec("apply", "--auto-approve").status == 0)

        let all = try harness.orbrec("events", "-o", "json")
        #expect(all.status == 0, "\(all.stderr)")
        let events = try Self.eventLines(all.stdout)
        let seqs = events.compactMap { ($0["seq"] as? NSNumber)?.int64Value }
        #expect(seqs.count == events.count && seqs.count >= 3, "\(all.stdout)")
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "in order, each once")
        #expect(events.contains { $0["resource"] as? String == "Fleet/workers" && $0["subject"] as? String != nil && $0["to"] as? String != nil })

        // The text form starts each line with the same number; --after resumes past it.
        let text = try harness.orbrec("events")
        let firstColumns = text.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.flatMap { Int64($0) } }
        #expect(firstColumns == seqs, "\(text.stdout)")
        let middle = seqs[seqs.count / 2]
        let resumed = try Self.eventLines(try harness.orbrec("events", "--after", String(middle), "-o", "json").stdout)
        #expect(resumed.compactMap { ($0["seq"] as? NSNumber)?.int64Value } == seqs.filter { $0 > middle })
        #expect(try Self.eventLines(try harness.orbrec("events", "--tail", "2", "-o", "json").stdout).count == 2)
        let fleetOnly = try Self.eventLines(try harness.orbrec("events", "--resource", "Fleet/workers", "-o", "json").stdout)
        #expect(!fleetOnly.isEmpty && fleetOnly.allSatisfy { $0["resource"] as? String == "Fleet/workers" })

        // Following from the last one seen: only what is written afterwards, as it is written.
        let last = try #require(seqs.last)
        let follow = try harness.startOrbrec("events", "-f", "--after", String(last), "-o", "json")
        try await Task.sleep(for: .milliseconds(500))
        #expect(((try? String(contentsOfFile: follow.outputFile, encoding: .utf8)) ?? "").isEmpty, "nothing new yet")
        try harness.writeFleet(count: 2)
        #expect(try harness.orbrec("apply", "--auto-approve").status == 0)
        let followed = try await Self.output(of: follow) { $0.contains("\"to\":\"succeeded\"") }
        let result = try Self.interrupt(follow)
        #expect(result.status == 0, "SIGINT ends a follow with 0: \(result.stderr)")
        let newSeqs = try Self.eventLines(followed).compactMap { ($0["seq"] as? NSNumber)?.int64Value }
        #expect(!newSeqs.isEmpty && newSeqs.allSatisfy { $0 > last })
        let after = try Self.eventLines(try harness.orbrec("events", "--after", String(last), "-o", "json").stdout)
        #expect(Array(after.compactMap { ($0["seq"] as? NSNumber)?.int64Value }.prefix(newSeqs.count)) == newSeqs,
                "the follow printed what --after prints")
    }

    @Test(arguments: TestStateBackend.allCases)
    func statusWatchPrintsABlockPerChangeAndEndsWithZeroOnSIGINT(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 1)
        let watch = try harness.startOrbrec("status", "--watch")
        let first = try await Self.output(of: watch) { $0.contains("Fleet/workers") }
        #expect(first.contains("OutOfSync"), "\(first)")
        #expect(!first.contains("\u{1B}["), "no screen control in a pipe")
        #expect(try harness.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s").status == 0)
        // A new block (after a blank line) once the fleet runs; the first one is kept as it was.
        let changed = try await Self.output(of: watch) { text in
            (text.components(separatedBy: "\n\n").last ?? "").split(separator: "\n").contains {
                $0.hasPrefix("Fleet/workers") && $0.contains("1 running") && $0.contains("Synced") && $0.contains("Healthy")
            }
        }
        #expect(changed.hasPrefix(first), "blocks are appended, the screen is not redrawn in a pipe")
        #expect(changed.components(separatedBy: "RESOURCE ").count >= 3)
        // Nothing changes any more: no new block within the next seconds.
        let settled = changed.count
        try await Task.sleep(for: .seconds(2))
        let result = try Self.interrupt(watch)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.count == settled, "a block only when something changed:\n\(result.stdout)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func getTasksWatchFollowsAPool(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writePool(spec: """
            items: ["a", "b"]
            command: ["sh", "-c", "sleep 3"]
            """)
        let watch = try harness.startOrbrec("get", "tasks", "--watch")
        _ = try await Self.output(of: watch) { $0.contains("No") || $0.contains("KEY") }
        #expect(try harness.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s").status == 0)
        let text = try await Self.output(of: watch) { text in
            text.components(separatedBy: "\n\n").last.map { $0.components(separatedBy: "completed").count == 3 } == true
        }
        #expect(text.contains("running"), "a block was printed while the tasks ran: \(text)")
        let result = try Self.interrupt(watch)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func tasksLogsFollowsTheOutputOnToTheNextAttemptAndEndsWithTheTask(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        let marker = harness.directory + "/tried"
        try harness.writePool(spec: """
            items: ["one"]
            command: ["sh", "-c", "if [ -f \(marker) ]; then echo second; sleep 1; echo done; else touch \(marker); echo first; sleep 1; exit 3; fi"]
            retry: {maxAttempts: 2, initialBackoff: 200ms, multiplier: 2, maxBackoff: 1s, jitter: 0}
            """)
        // The first apply submits the first attempt; the follow starts while it runs.
        #expect(try harness.orbrec("apply", "--auto-approve").status == 0)
        let follow = try harness.startOrbrec("tasks", "logs", "sims", "one", "-f")
        let early = try await Self.output(of: follow) { $0.contains("first") }
        #expect(!early.contains("second"))
        #expect(try harness.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s").status == 0)
        let result = try follow.wait(timeout: 30)
        #expect(result.status == 0, "the follow ends by itself once the task is finished: \(result.stderr)")
        #expect(result.stdout == "first\nsecond\ndone\n", "\(result.stdout)")
        #expect(result.stderr.contains("attempt 2 of sims/one started"), "\(result.stderr)")

        // SIGINT ends a follow of a task that does not finish, with 0.
        try harness.writePool("slow", spec: """
            items: ["x"]
            command: ["sh", "-c", "echo waiting; sleep 60"]
            """)
        #expect(try harness.orbrec("apply", "--auto-approve").status == 0)
        let slow = try harness.startOrbrec("tasks", "logs", "slow", "x", "-f")
        _ = try await Self.output(of: slow) { $0.contains("waiting") }
        #expect(try Self.interrupt(slow).status == 0)
        _ = try harness.orbrec("tasks", "cancel", "slow")
    }
}
