import Foundation
import OrbrecTestSupport
import Testing

/// Independent steps of a workflow run at the same time, and together they stay within the
/// limits: two pool steps of 4 tasks each (at most 2 at once per pool) on a scheduler with
/// 3 slots.
@Suite("Workflow steps in parallel, within limits", .serialized)
struct WorkflowParallelStepsTests {
    static func configuration(_ harness: Harness) -> String {
        let log = harness.directory + "/spans.log"
        // Each task appends "start NAME NANOS" and "end NAME NANOS" (one line each, atomic appends).
        func pool(_ name: String) -> String {
            """
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: \(name)}
            spec:
              scheduler: cpu
              range: {from: 1, to: 4}
              command: ["sh", "-c", "echo start \(name)-${item} $(date +%s%N) >> \(log); sleep 0.4; echo end \(name)-${item} $(date +%s%N) >> \(log)"]
              parallelism: 2
            """
        }
        return """
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: cpu}
            spec: {type: local, slots: 3}
            ---
            \(pool("left"))
            ---
            \(pool("right"))
            ---
            apiVersion: orbrec/v1
            kind: Workflow
            metadata: {name: fan}
            spec:
              trigger: {onChange: true}
              steps:
                - name: left
                  taskPool: {ref: left}
                - name: right
                  taskPool: {ref: right}
                - name: join
                  needs: [left, right]
                  run: {scheduler: cpu, command: ["sh", "-c", "echo join $(date +%s%N) >> \(log)"]}
            """
    }

    struct Span {
        var name: String
        var start: Int64
        var end: Int64
    }

    static func spans(_ harness: Harness) throws -> (tasks: [Span], join: Int64?) {
        let text = try String(contentsOfFile: harness.directory + "/spans.log", encoding: .utf8)
        var starts: [String: Int64] = [:], ends: [String: Int64] = [:]
        var join: Int64?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ").map(String.init)
            if parts.count == 2, parts[0] == "join" { join = Int64(parts[1]) }
            guard parts.count == 3, let time = Int64(parts[2]) else { continue }
            if parts[0] == "start" { starts[parts[1]] = time } else { ends[parts[1]] = time }
        }
        let tasks = starts.keys.sorted().compactMap { name in ends[name].map { Span(name: name, start: starts[name]!, end: $0) } }
        return (tasks, join)
    }

    @Test(arguments: TestStateBackend.allCases)
    func independentStepsOverlapAndShareTheSlots(_ backend: TestStateBackend) throws {
        let harness = try Harness(backend: backend)
        try harness.write("orbrec.yaml", Self.configuration(harness))
        let apply = try harness.orbrec("apply", "--auto-approve", "--wait", "--timeout", "90s")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let result = try harness.orbrec("workflows", "runs", "fan", "-o", "json")
        let run = try #require((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(run["state"] as? String == "succeeded", "\(run)")
        let steps = Dictionary(uniqueKeysWithValues: (run["steps"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0) })
        let left = try #require(steps["left"]), right = try #require(steps["right"]), join = try #require(steps["join"])
        let leftStart = try #require(left["started_at"] as? Int64), rightStart = try #require(right["started_at"] as? Int64)
        let leftEnd = try #require(left["ended_at"] as? Int64), rightEnd = try #require(right["ended_at"] as? Int64)
        #expect(leftStart < rightEnd && rightStart < leftEnd, "the two independent steps ran at the same time: \(steps)")
        #expect((join["started_at"] as? Int64).map { $0 >= max(leftEnd, rightEnd) } == true, "join waited for both")

        let (tasks, joinTime) = try Self.spans(harness)
        #expect(tasks.count == 8, "every task ran once: \(tasks.map(\.name))")
        // The tasks of both steps interleave on the scheduler...
        let firstRight = tasks.filter { $0.name.hasPrefix("right") }.map(\.start).min() ?? .max
        let lastLeft = tasks.filter { $0.name.hasPrefix("left") }.map(\.end).max() ?? .min
        let firstLeft = tasks.filter { $0.name.hasPrefix("left") }.map(\.start).min() ?? .max
        let lastRight = tasks.filter { $0.name.hasPrefix("right") }.map(\.end).max() ?? .min
        #expect(firstRight < lastLeft && firstLeft < lastRight, "tasks of both steps were running in the same stretch of time")
        // ...and never more than its 2 slots at once.
        var events: [(time: Int64, delta: Int)] = []
        for task in tasks {
            events.append((task.start, 1))
            events.append((task.end, -1))
        }
        // Ends before starts at the same instant: a slot given back can be taken at once.
        events.sort { lhs, rhs in lhs.time == rhs.time ? lhs.delta < rhs.delta : lhs.time < rhs.time }
        var running = 0, peak = 0
        for (_, delta) in events {
            running += delta
            peak = max(peak, running)
        }
        #expect(peak <= 3, "at most 3 tasks at once on a scheduler with 3 slots (peak \(peak))")
        #expect(peak == 3, "both steps' tasks filled the slots together")
        #expect(joinTime.map { time in tasks.allSatisfy { $0.end <= time } } == true, "the join job ran after every task")
    }
}
