import Foundation
import OrbrecTestSupport
import Testing

/// Runs the built `orbrec` binary in a scratch directory of its own, with its own state, and
/// finds the machine processes of that state in /proc. Every test ends by killing them.
///
/// The state is a SQLite file, `directory/state/state.db`, or a PostgreSQL schema of its own on
/// the test server. A PostgreSQL state has no directory: every orbrec this harness starts gets
/// `ORBREC_DATA_DIR=directory/state`, so task outputs and machine logs lie where they would
/// beside a state file, and the helpers that find processes by their output find them both ways.
final class Harness: @unchecked Sendable {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["ORBREC_BIN"], !path.isEmpty { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/orbrec").path
    }()

    let directory: String
    let backend: TestStateBackend
    /// What `--state` names: the file, or the server's URL with this harness's schema.
    let state: String
    var config: String { directory + "/cfg" }
    /// Where task outputs and machine logs go, for either backend.
    var dataDirectory: String { directory + "/state" }

    init(backend: TestStateBackend = .sqlite) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-e2e-\(UUID().uuidString.prefix(8))").path
        self.backend = backend
        state = try backend.location(in: directory + "/state")
        try FileManager.default.createDirectory(atPath: directory + "/cfg", withIntermediateDirectories: true)
    }

    deinit { killMachines() }

    // MARK: Configuration

    func write(_ name: String, _ content: String) throws {
        let path = config + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: config + "/" + name) }

    /// A local provider, a `sleep` template and one fleet.
    func writeFleet(count: Int, name: String = "workers", command: String = #"["sleep", "300"]"#, annotations: String = "{}") throws {
        try write("base.yaml", """
            apiVersion: orbrec/v1
            kind: Provider
            metadata: {name: here}
            spec: {type: local}
            ---
            apiVersion: orbrec/v1
            kind: Template
            metadata: {name: sleeper}
            spec: {provider: here, command: \(command), stopTimeout: 2s}
            """)
        try write("\(name).yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: \(name), annotations: \(annotations)}
            spec:
              template: sleeper
              count: \(count)
              updateStrategy: {maxSurge: 1, maxUnavailable: 0}
            """)
    }

    // MARK: Running

    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, timeout: Double = 120) throws -> Result {
        let process = try start(arguments, environment: environment)
        if let stdin { process.write(stdin) }
        process.closeInput()
        return try process.wait(timeout: timeout)
    }

    /// Runs with the harness's config and state.
    @discardableResult
    func orbrec(_ arguments: String..., environment: [String: String] = [:], stdin: String? = nil) throws -> Result {
        try orbrec(arguments, environment: environment, stdin: stdin)
    }

    @discardableResult
    func orbrec(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Result {
        try run(arguments + ["-c", config, "--state", state], environment: environment, stdin: stdin)
    }

    /// A started orbrec process. Spawned and reaped by hand (posix_spawn, waitpid) so that
    /// its end is seen at once and nothing else reaps it.
    final class Running: @unchecked Sendable {
        let pid: pid_t
        let input: FileHandle
        let outputFile: String
        let errorFile: String

        var processIdentifier: Int32 { pid }

        init(pid: pid_t, input: FileHandle, outputFile: String, errorFile: String) {
            self.pid = pid
            self.input = input
            self.outputFile = outputFile
            self.errorFile = errorFile
        }

        func write(_ text: String) { input.write(Data(text.utf8)) }
        func closeInput() { try? input.close() }

        func wait(timeout: Double) throws -> Result {
            let deadline = Date().addingTimeInterval(timeout)
            var status: Int32 = 0
            var reaped = false
            while !reaped {
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid { reaped = true; break }
                if Date() >= deadline {
                    Foundation.kill(pid, SIGKILL)
                    Issue.record("orbrec did not finish within \(timeout)s")
                    _ = waitpid(pid, &status, 0)
                    reaped = true
                    break
                }
                usleep(2_000)
            }
            closeInput()
            // Exit status as a shell shows it: the code, or 128 + the signal.
            let signal = status & 0x7f
            let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
            let out = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
            return Result(status: code, stdout: out, stderr: err)
        }

        func kill9() { Foundation.kill(pid, SIGKILL) }
    }

    /// Starts the binary without waiting; output goes to files so a killed process loses nothing.
    func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Running {
        try spawn(Self.binary, arguments, environment: environment)
    }

    /// Starts `program` (an absolute path) with `arguments`, without a shell.
    func spawn(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Running {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "ORBREC_FAILPOINT")
        env.removeValue(forKey: "ORBREC_STATE")
        env.removeValue(forKey: "ORBREC_DATA_DIR")
        if backend == .postgres { env["ORBREC_DATA_DIR"] = dataDirectory }
        for (key, value) in environment { env[key] = value }
        let tag = UUID().uuidString.prefix(8)
        let outputFile = "\(directory)/out-\(tag).txt", errorFile = "\(directory)/err-\(tag).txt"

        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, program, &actions, nil, argv, envp)
        close(fds[0])
        guard status == 0 else {
            close(fds[1])
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .ENOENT)
        }
        return Running(pid: pid, input: FileHandle(fileDescriptor: fds[1], closeOnDealloc: true),
                       outputFile: outputFile, errorFile: errorFile)
    }

    func startOrbrec(_ arguments: String..., environment: [String: String] = [:]) throws -> Running {
        try start(arguments + ["-c", config, "--state", state], environment: environment)
    }

    // MARK: Inspecting

    /// The state's identity, the owner tag of its machines.
    func stateID() throws -> String {
        let result = try orbrec("plan", "--json")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return document?["state_id"] as? String ?? ""
    }

    /// Machine ids of the live session leaders tagged with this state, straight from /proc.
    func machineProcesses(stateID: String) -> [String: Int32] {
        var found: [String: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 3, fields[0] != "Z", Int32(fields[3]) == pid,
                  let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            var tags: [String: String] = [:]
            for item in environ.split(separator: 0) {
                let text = String(decoding: item, as: UTF8.self)
                if let equals = text.firstIndex(of: "=") { tags[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            }
            if tags["ORBREC_MANAGED_BY"] == stateID, let id = tags["ORBREC_MACHINE"] { found[id] = pid }
        }
        return found
    }

    /// Machines `get machines -o json` says are running.
    func runningMachines() throws -> Set<String> {
        let result = try orbrec("get", "machines", "-o", "json")
        let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        return Set(rows.filter { $0["state"] as? String == "running" || $0["state"] as? String == "pending" }.compactMap { $0["id"] as? String })
    }

    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    /// Kills every machine this harness's state started: those whose output goes to a log
    /// under this harness's directory.
    func killMachines() {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                  let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/1"),
                  target.hasPrefix(directory + "/"), target.hasSuffix(".log") else { continue }
            Foundation.kill(-pid, SIGKILL)
            Foundation.kill(pid, SIGKILL)
        }
    }
}
