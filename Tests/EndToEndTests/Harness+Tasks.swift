import Foundation
import Testing

/// Task-pool helpers: configurations, `get tasks` and `history` as JSON, and the attempt
/// processes (runners and commands) of this harness's state, straight from /proc.
extension Harness {
    /// `<state dir>/tasks`: every attempt's output and result.
    var taskDirectory: String { directory + "/state/tasks" }

    /// A local scheduler and one pool; `spec` is the pool's spec body (without `scheduler`).
    func writePool(_ name: String = "sims", scheduler: String = "cpu", slots: Int? = nil, file: String? = nil, spec: String) throws {
        try writeScheduler(scheduler, slots: slots)
        try write(file ?? "\(name).yaml", """
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: \(name)}
            spec:
              scheduler: \(scheduler)
            \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
            """)
    }

    func writeScheduler(_ name: String = "cpu", slots: Int? = nil) throws {
        try write("scheduler-\(name).yaml", """
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: \(name)}
            spec: {type: local\(slots.map { ", slots: \($0)" } ?? "")}
            """)
    }

    // MARK: JSON views

    /// `get tasks [POOL] -o json`.
    func tasks(_ pool: String? = nil) throws -> [[String: Any]] {
        var arguments = ["get", "tasks"]
        if let pool { arguments.append(pool) }
        let result = try run(arguments + ["-o", "json", "-c", config, "--state", state])
        #expect(result.status == 0, "get tasks: \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    /// `get tasks POOL -o json` keyed by task key.
    func tasksByKey(_ pool: String = "sims") throws -> [String: [String: Any]] {
        Dictionary(try tasks(pool).map { ($0["key"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// `history --json`, newest first.
    func history() throws -> [[String: Any]] {
        let result = try orbrec("history", "--json", "--limit", "1000")
        #expect(result.status == 0, "history: \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    // MARK: Processes

    struct TaskProcess: Hashable {
        var pid: Int32
        var processGroup: Int32
        var session: Int32
        var pool: String
        var key: String
        var attempt: Int
        var commandLine: [String]
        /// The attempt's command, a session leader started by the supervisor (the others are its children).
        var isCommand: Bool { session == pid }
    }

    /// Live (non-zombie) processes whose standard output or error goes under this harness's
    /// directory, that carry the attempt tags: commands and their children.
    func taskProcesses(pool: String? = nil) -> [TaskProcess] {
        var found: [TaskProcess] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), ownsOutput(pid), let stat = Self.stat(pid), stat.state != "Z" else { continue }
            let tags = Self.environment(pid)
            guard let taskPool = tags["ORBREC_POOL"], pool == nil || taskPool == pool, let key = tags["ORBREC_TASK_KEY"],
                  let attempt = tags["ORBREC_ATTEMPT"].flatMap(Int.init) else { continue }
            let commandLine = (FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data())
                .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            found.append(TaskProcess(pid: pid, processGroup: stat.group, session: stat.session, pool: taskPool, key: key,
                                     attempt: attempt, commandLine: commandLine))
        }
        return found
    }

    /// The attempts whose command is alive now, as `pool/key#attempt`.
    func runningCommands(pool: String? = nil) -> Set<String> {
        Set(taskProcesses(pool: pool).map { "\($0.pool)/\($0.key)#\($0.attempt)" })
    }

    /// The attempt supervisors (`orbrec _supervise`) of this harness's state, by pid.
    func supervisors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry), ownsOutput(pid), let stat = Self.stat(pid), stat.state != "Z",
                  Self.environment(pid)["ORBREC_ROLE"] == "supervisor" else { return nil }
            return pid
        }
    }

    /// Kills every process whose standard output or error goes under this harness's directory
    /// (attempt supervisors and commands, which `killMachines` misses: their output is not `.log`).
    func killTasks() {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), ownsOutput(pid) else { continue }
            if let stat = Self.stat(pid), stat.group == pid { Foundation.kill(-pid, SIGKILL) }
            Foundation.kill(pid, SIGKILL)
        }
    }

    private func ownsOutput(_ pid: Int32) -> Bool {
        for fd in [1, 2] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
               target.hasPrefix(directory + "/state/") { return true }
        }
        return false
    }

    static func stat(_ pid: Int32) -> (state: Character, group: Int32, session: Int32)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 3, let state = fields[0].first, let group = Int32(fields[2]), let session = Int32(fields[3]) else { return nil }
        return (state, group, session)
    }

    static func environment(_ pid: Int32) -> [String: String] {
        var tags: [String: String] = [:]
        for item in (FileManager.default.contents(atPath: "/proc/\(pid)/environ") ?? Data()).split(separator: 0) {
            let text = String(decoding: item, as: UTF8.self)
            if let equals = text.firstIndex(of: "=") { tags[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
        }
        return tags
    }

    /// Runs orbrec to its end while sampling, every few milliseconds, which attempt commands
    /// are alive; returns the result and the largest set seen at once.
    func runSampling(_ arguments: String..., pool: String? = nil, timeout: Double = 90) throws -> (Result, maxAtOnce: Set<String>) {
        let process = try start(arguments + ["-c", config, "--state", state])
        process.closeInput()
        let deadline = Date().addingTimeInterval(timeout)
        var widest: Set<String> = []
        // The process is not reaped here: a zombie (or no process) means it has ended.
        while let stat = Self.stat(process.pid), stat.state != "Z", Date() < deadline {
            let now = runningCommands(pool: pool)
            if now.count > widest.count { widest = now }
            usleep(10_000)
        }
        return (try process.wait(timeout: max(1, deadline.timeIntervalSinceNow)), widest)
    }

    // MARK: Files

    /// The attempt numbers that left a result file for `key`, from the disk.
    func resultFiles(pool: String = "sims", key: String) -> [Int] {
        let directory = "\(taskDirectory)/\(pool)/\(key)"
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".result.json") }
            .compactMap { Int($0.dropLast(".result.json".count)) }
            .sorted()
    }

    /// Waits until `condition` holds, up to `timeout` seconds; whether it did.
    @discardableResult
    func eventually(timeout: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }
}

/// The attempts of one `get tasks -o json` row.
func attemptRows(_ task: [String: Any]?) -> [[String: Any]] { task?["attempts"] as? [[String: Any]] ?? [] }

/// The largest number of `[start, end]` intervals that overlap at one moment.
func maxOverlap(_ intervals: [(Int64, Int64)]) -> Int {
    var events: [(Int64, Int)] = []
    for (start, end) in intervals {
        events.append((start, 1))
        events.append((end, -1))
    }
    // An end and a start at the same millisecond do not overlap: ends first.
    events.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    var current = 0, widest = 0
    for (_, delta) in events {
        current += delta
        widest = max(widest, current)
    }
    return widest
}
