// The journal's throughput (DESIGN.md 8: at least 10,000 task state transitions a second,
// durable): task transitions written through the same StateStore calls the engine makes,
// to a real SQLite file in WAL mode (or a PostgreSQL state), each batch one committed
// transaction.
//
//   swift run -c release orbrec-journal-bench [TASKS] [--state postgres://…]
//   Benchmarks/journal-bench.sh runs it on SQLite and PostgreSQL side by side.
import Foundation
import OrbrecCore
import OrbrecStore
import OrbrecStorePostgres

var arguments = Array(CommandLine.arguments.dropFirst())
var named: String?
if let index = arguments.firstIndex(of: "--state"), index + 1 < arguments.count {
    named = arguments[index + 1]
    arguments.removeSubrange(index...(index + 1))
}
let count = arguments.first.flatMap { Int($0) } ?? 10_000
let directory = NSTemporaryDirectory() + "orbrec-journal-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }
let address = try StateAddress.parse(named ?? directory + "/state.db")
guard let store = try await StateStores.open(address, create: true) else { fatalError("no state at \(address)") }

func now() -> Instant { Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)) }

func measure(_ label: String, transitions: Int, _ body: () async throws -> Void) async rethrows {
    let started = Date()
    try await body()
    let seconds = Date().timeIntervalSince(started)
    let rate = Int(Double(transitions) / seconds)
    let name: String = label.padding(toLength: 58, withPad: " ", startingAt: 0)
    let total: String = String(transitions).leftPadded(8)
    let milliseconds: String = String(Int(seconds * 1000)).leftPadded(6)
    let perSecond: String = String(rate).leftPadded(8)
    print("\(name)\(total) in \(milliseconds) ms = \(perSecond) /s")
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

let keys = (1...count).map { "task-\($0)" }
let policy = RetryPolicy.default
switch address {
case .file(let path): print("orbrec journal benchmark: \(count) tasks, SQLite WAL at \(path)")
case .postgres(let url): print("orbrec journal benchmark: \(count) tasks, PostgreSQL at \(url.redacted)")
}
try await measure("submit: pending -> running, one transaction", transitions: count) {
    try await store.markSubmitting(actionID: "act-bench", scheduler: "bench", pool: "bench",
                                   attempts: keys.map { TaskAttemptRef(key: $0, attempt: 1) }, at: now())
}
try await measure("started: attempts submitting -> running, one transaction", transitions: count) {
    try await store.markSubmitted(pool: "bench", started: keys.map { (key: $0, attempt: 1, jobID: "job-\($0)") }, at: now())
}
let success = AttemptOutcome(exitCode: 0, startedAt: now(), endedAt: now(), host: "bench")
let settlements = keys.map { key -> StateStore.Settlement in
    let status = TaskStatus(pool: "bench", key: key, state: .running, attemptsStarted: 1)
    let transition = TaskLifecycle.finish(status, attempt: 1, outcome: success, policy: policy, now: now(), jitterSample: 0)
    return StateStore.Settlement(transition: transition, attempt: 1, outcome: success, jobID: "job-\(key)")
}
try await measure("settle: running -> completed, one transaction per pass", transitions: count) {
    try await store.settle(settlements, at: now())
}
let single = min(count, 1_000)
let singleKeys = (1...single).map { "one-\($0)" }
try await store.markSubmitting(actionID: "act-bench-2", scheduler: "bench", pool: "one", attempts: singleKeys.map { TaskAttemptRef(key: $0, attempt: 1) }, at: now())
try await measure("settle: running -> completed, one transaction each", transitions: single) {
    for key in singleKeys {
        let status = TaskStatus(pool: "one", key: key, state: .running, attemptsStarted: 1)
        let transition = TaskLifecycle.finish(status, attempt: 1, outcome: success, policy: policy, now: now(), jitterSample: 0)
        try await store.settle(transition, attempt: 1, outcome: success, jobID: nil, at: now())
    }
}
let completed = try await store.tasks(pool: "bench").filter { $0.state == .completed }.count
precondition(completed == count, "only \(completed) of \(count) tasks are completed in the journal")
print("budget (DESIGN.md 8): >= 10000 task state transitions per second, durable")
