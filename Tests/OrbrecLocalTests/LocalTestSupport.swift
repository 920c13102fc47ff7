import Foundation
import Glibc
import Testing
import OrbrecCore
import OrbrecLocal

/// One test's world: a unique owner (so tests running in parallel never see each other's
/// machines), a log directory in a temporary directory, and the cleanup of every process
/// the test started.
struct LocalWorld {
    let owner = "st-test-" + UUID().uuidString.lowercased()
    let directory: String
    var logDirectory: String { directory + "/logs" }

    init() {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("orbrec-local-tests-\(UUID().uuidString.lowercased())").path
    }

    func provider(name: String = "here", environment: [String: String]? = nil) -> LocalProvider {
        LocalProvider(name: name, logDirectory: logDirectory, environment: environment)
    }

    static func template(_ command: [String]?, stopTimeoutMilliseconds: Int64? = nil) -> TemplateSpec {
        var template = TemplateSpec(metadata: Metadata(name: "worker"), provider: "here", settings: .local(LocalTemplateSettings(command: command ?? [])))
        template.stopTimeout = stopTimeoutMilliseconds.map { ConfigDuration(milliseconds: $0) }
        return template
    }

    func order(_ command: [String]?, machines: [String], stopTimeoutMilliseconds: Int64? = nil) -> ProvisionOrder {
        ProvisionOrder(requestID: "req-test", actionID: "act-test", owner: owner, fleet: "workers",
                       template: Self.template(command, stopTimeoutMilliseconds: stopTimeoutMilliseconds),
                       templateHash: "hash-test", machineIDs: machines)
    }

    /// Provisions, then waits until each machine made can be observed: a workaround for the
    /// race shown by `aProvisionedMachineCarriesItsTagsAsSoonAsProvisionReturns`, so that
    /// the other tests test what they are about.
    func provision(_ provider: LocalProvider, _ order: ProvisionOrder) async -> [MachineOutcome] {
        let outcomes = await provider.provision(order)
        for outcome in outcomes {
            guard let identity = outcome.providerID.flatMap(Proc.identity(of:)) else { continue }
            _ = await eventually(timeout: .seconds(2)) {
                !identity.isAlive || Proc.environment(of: identity.pid)["ORBREC_MACHINE"] == outcome.machineID
            }
        }
        return outcomes
    }

    func returnOrder(_ machines: [(id: String, providerID: String?)]) -> ReturnOrder {
        ReturnOrder(requestID: "ret-test", actionID: "act-return", owner: owner,
                    machines: machines.map { ReturnOrder.Machine(id: $0.id, providerID: $0.providerID) })
    }

    func returnOrder(_ outcomes: [MachineOutcome]) -> ReturnOrder {
        returnOrder(outcomes.map { (id: $0.machineID, providerID: $0.providerID) })
    }

    /// Every process still carrying this test's owner tag: leaders, their children, orphans.
    func processes() -> [Int32] {
        Proc.processIDs().filter { Proc.environment(of: $0)["ORBREC_MANAGED_BY"] == owner }
    }

    /// The live processes tagged with machine `id` of this owner.
    func processes(ofMachine id: String) -> [Int32] {
        Proc.processIDs().filter {
            let environment = Proc.environment(of: $0)
            return environment["ORBREC_MANAGED_BY"] == owner && environment["ORBREC_MACHINE"] == id
        }
    }

    /// Kills the process group of every process this test started (continuing stopped ones
    /// first), then reaps the machines this process is the parent of, and removes the
    /// temporary directory. Safe to call more than once; used in `defer`.
    func cleanUp(_ outcomes: [MachineOutcome] = []) {
        let leaders = outcomes.compactMap { $0.providerID.flatMap(Proc.identity(of:)) }
        for _ in 0..<3 {
            let tagged = processes()
            var groups = Set(tagged.compactMap { Proc.stat(of: $0)?.processGroup })
            for leader in leaders where leader.isAlive { groups.insert(leader.pid) }
            for group in groups where group > 1 {
                kill(-group, SIGCONT)
                kill(-group, SIGKILL)
            }
            for pid in tagged where pid > 1 { kill(pid, SIGKILL) }
            if tagged.isEmpty { break }
            usleep(20_000)
        }
        // Reap the leaders that are still this process's zombies (the provider reaps only
        // when it is called again).
        for leader in leaders {
            for _ in 0..<100 {
                guard let stat = Proc.stat(of: leader.pid), stat.parent == getpid(), stat.startTicks == leader.startTicks else { break }
                var status: Int32 = 0
                let result = waitpid(leader.pid, &status, WNOHANG)
                if result == leader.pid || result < 0 { break }
                usleep(10_000)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; answers whether it held.
func eventually(timeout: Duration = .seconds(3), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Independent readers of `/proc`, so the tests check the provider against the kernel.
enum Proc {
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    static func processIDs() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init)
    }

    struct Stat {
        var state: Character
        var parent: Int32
        var processGroup: Int32
        var session: Int32
        var startTicks: UInt64
    }

    static func stat(of pid: Int32) -> Stat? {
        guard let bytes = read("/proc/\(pid)/stat"), let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]), let group = Int32(fields[2]),
              let session = Int32(fields[3]), let start = UInt64(fields[19]) else { return nil }
        return Stat(state: state, parent: parent, processGroup: group, session: session, startTicks: start)
    }

    static func environment(of pid: Int32) -> [String: String] {
        guard let bytes = read("/proc/\(pid)/environ") else { return [:] }
        var result: [String: String] = [:]
        for entry in bytes.split(separator: 0) {
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            result[String(decoding: entry[..<equals], as: UTF8.self)] = String(decoding: entry[(equals + 1)...], as: UTF8.self)
        }
        return result
    }

    static func commandLine(of pid: Int32) -> [String] {
        (read("/proc/\(pid)/cmdline") ?? []).split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the process ignores SIGTERM (`SigIgn` of /proc/PID/status).
    static func ignoresTERM(_ pid: Int32) -> Bool {
        let status = String(decoding: read("/proc/\(pid)/status") ?? [], as: UTF8.self)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigIgn:") }),
              let mask = UInt64(line.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
        return mask & (1 << (UInt64(SIGTERM) - 1)) != 0
    }

    /// `local:PID:TICKS` → the identity.
    static func identity(of providerID: String) -> ProcessIdentity? {
        guard providerID.hasPrefix("local:") else { return nil }
        return ProcessIdentity(parsing: String(providerID.dropFirst("local:".count)))
    }

    /// Whether `pid` is a process that has not exited (a zombie has exited).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = stat(of: pid) else { return false }
        return stat.state != "Z" && stat.state != "X"
    }
}
