import Foundation
import OrbrecTestSupport
import Testing

/// SIGKILL of `orbrec apply --wait` in the middle of a 1,000-task pool moving on events, then a
/// rerun: every task runs exactly once. An attempt journaled but not yet started when orbrec
/// died (its order still in the pipe, or waiting in the supervisor's queue, which drops what
/// waits once its orbrec is gone) is lost (infra, not counted) and retried; one that started is finished by its supervisor,
/// which outlives orbrec, and adopted.
@Suite(.serialized) struct TaskFlowCrashTests {
    static let tasks = 1000

    @Test(arguments: TestStateBackend.allCases, [150, 600])
    func killedDuringAThousandTaskPoolEveryTaskRunsOnce(_ backend: TestStateBackend, _ doneBeforeTheKill: Int) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        let log = h.directory + "/runs.log"
        try h.writePool(slots: 2, spec: """
            range: {from: 1, to: \(Self.tasks)}
            command: ["sh", "-c", "echo ${item} ${attempt} >> \(log)"]
            retry: {maxAttempts: 1}
            """)
        let apply = try h.startOrbrec("apply", "--auto-approve", "--wait", "--timeout", "120s")
        #expect(h.eventually(timeout: 60) { runs(log).count >= doneBeforeTheKill }, "the pool got going")
        apply.kill9()
        let killed = try apply.wait(timeout: 10)
        #expect(killed.status == 137)
        let atTheKill = runs(log).count
        #expect(atTheKill < Self.tasks, "killed in the middle of the pool (\(atTheKill) ran)")

        let rerun = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "120s")
        #expect(rerun.status == 0, "\(rerun.stdout)\n\(rerun.stderr)")
        let tasks = try h.tasks("sims")
        #expect(tasks.count == Self.tasks)
        var lost = 0
        for task in tasks {
            let key = task["key"] as? String ?? "?"
            #expect(task["state"] as? String == "completed", "task \(key): \(task)")
            #expect(TaskPoolTests.int(task["attempts_consumed"]) == 0, "task \(key): nothing counted against it")
            let rows = attemptRows(task)
            let last = rows.last
            #expect(last?["state"] as? String == "ended" && TaskPoolTests.int(last?["exit_code"]) == 0, "task \(key): \(rows)")
            for earlier in rows.dropLast() {
                #expect(earlier["failure_class"] as? String == "infra", "task \(key): an earlier attempt can only be lost: \(rows)")
                lost += 1
            }
        }
        let byKey = Dictionary(grouping: runs(log), by: { $0.split(separator: " ").first.map(String.init) ?? "" })
        #expect(byKey.count == Self.tasks, "every task ran")
        let twice = byKey.filter { $0.value.count != 1 }
        #expect(twice.isEmpty, "each task ran exactly once; ran again: \(twice.prefix(5))")
        for task in tasks {
            let key = task["key"] as? String ?? "?"
            let attempt = TaskPoolTests.int(attemptRows(task).last?["attempt"]) ?? 0
            #expect(byKey[key] == ["\(key) \(attempt)"], "task \(key): the run is the journal's last attempt")
        }
        // In flight: the 2 slots and the 8 the supervisor's queue held ahead (dropped unstarted).
        #expect(lost <= 10, "at most the attempts in flight (2 slots, 8 queued ahead) were lost, \(lost)")
        let open = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "actions", "-o", "json").stdout.utf8)) as? [[String: Any]] ?? []
        #expect(!open.contains { ["planned", "issuing"].contains($0["state"] as? String) }, "no action left open")
        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0)
    }

    func runs(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
