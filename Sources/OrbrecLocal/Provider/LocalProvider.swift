public import OrbrecCore
internal import OrbrecProcess
internal import Foundation
internal import Glibc
internal import Synchronization

/// The `local` provider: a machine is a process started from its template's argv, in a
/// session of its own so that it outlives the orbrec that started it.
///
/// Machines are found again by scanning `/proc` for session leaders whose environment
/// carries this state's tags; the pid together with the process start time is the
/// provider id, so a reused pid is never taken for a machine.
public final class LocalProvider: Provider {
    public let name: String
    /// Where each machine's stdout and stderr go (`<id>.log`).
    public let logDirectory: String
    private let baseEnvironment: [String: String]
    /// Children this process started, reaped so that a dead machine does not linger as a zombie.
    private let children = Mutex<Set<Int32>>([])
    /// Called after each machine is started, for crash tests.
    private let afterSpawn: @Sendable () -> Void

    public init(name: String, logDirectory: String, environment: [String: String]? = nil,
                afterSpawn: @escaping @Sendable () -> Void = {}) {
        self.afterSpawn = afterSpawn
        self.name = name
        self.logDirectory = logDirectory
        self.baseEnvironment = (environment ?? ProcessInfo.processInfo.environment).filter { !MachineTags.isReserved($0.key) }
    }

    public func machines(ownedBy owner: String) async throws -> [ObservedMachine] {
        reapChildren()
        var found: [ObservedMachine] = []
        for leader in MachineProcessTable.shared.leaders(owner: owner, provider: name) {
            let (pid, stat, tags) = (leader.pid, leader.stat, leader.tags)
            guard let id = tags[MachineTags.machine], let fleet = tags[MachineTags.fleet] else { continue }
            let identity = ProcessIdentity(pid: pid, startTicks: stat.startTicks)
            let state: MachineState
            let message: String
            switch stat.state {
            case "Z", "X":
                state = .lost
                message = "process \(pid) has exited"
            case "T", "t":
                state = .unhealthy
                message = "process \(pid) is stopped"
            default:
                state = .running
                message = "process \(pid)"
            }
            found.append(ObservedMachine(
                id: id, fleet: fleet, template: tags[MachineTags.template] ?? "", templateHash: tags[MachineTags.templateHash] ?? "",
                provider: name, providerID: "local:\(identity)", actionID: tags[MachineTags.action] ?? "", state: state,
                createdAt: identity.startedAt, message: message, addresses: HostAddresses.current))
        }
        // A machine id seen twice (a leader that started another session with the same tags) is the older one.
        let unique = Dictionary(grouping: found, by: \.id).compactMap { $0.value.min { $0.createdAt < $1.createdAt } }
        return unique.filter { $0.state != .lost }.sorted { $0.id < $1.id }
    }

    public func provision(_ order: ProvisionOrder) async -> [MachineOutcome] {
        guard let argv = order.template.settings.local?.command, !argv.isEmpty else {
            return order.machineIDs.map {
                MachineOutcome(machineID: $0, error: ProviderError(code: "invalid-template", message: "template \(order.template.name) has no command"))
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        } catch {
            return order.machineIDs.map {
                MachineOutcome(machineID: $0, error: ProviderError(code: "log-directory", message: "cannot create \(logDirectory): \(error.localizedDescription)"))
            }
        }
        let stopTimeout = order.template.stopTimeout ?? TemplateSpec.defaultStopTimeout
        MachineProcessTable.shared.invalidate()
        defer { MachineProcessTable.shared.invalidate() }
        return order.machineIDs.map { machineID in
            var environment = baseEnvironment
            environment[MachineTags.managedBy] = order.owner
            environment[MachineTags.provider] = name
            environment[MachineTags.fleet] = order.fleet
            environment[MachineTags.machine] = machineID
            environment[MachineTags.action] = order.actionID
            environment[MachineTags.request] = order.requestID
            environment[MachineTags.template] = order.template.name
            environment[MachineTags.templateHash] = order.templateHash
            environment[MachineTags.stopTimeout] = String(stopTimeout.milliseconds)
            do throws(SpawnError) {
                let pid = try DetachedProcess.spawn(ProcessLaunch(argv, environment: environment, stdout: .file("\(logDirectory)/\(machineID).log"),
                                                                  stderr: .stdout, grouping: .session))
                children.withLock { _ = $0.insert(pid) }
                ProcFileSystem.waitUntilTagged(pid, tag: MachineTags.machine)
                afterSpawn()
                let ticks = ProcFileSystem.stat(of: pid)?.startTicks ?? 0
                return MachineOutcome(machineID: machineID, providerID: "local:\(ProcessIdentity(pid: pid, startTicks: ticks))")
            } catch {
                return MachineOutcome(machineID: machineID, error: ProviderError(
                    code: "spawn-failed", message: "cannot start '\(argv[0])': \(error.message)"))
            }
        }
    }

    /// Returns every machine of the order together: TERM to each machine's process group,
    /// then, after its grace period, KILL to every process that still carries its tags —
    /// members that ignore TERM may outlive the leader. The group is signalled only while its
    /// leader is verified alive (pid and start time), and stragglers one by one by their tags,
    /// so a reused pid or group id is never hit. One walk of /proc per look serves all the
    /// machines: a walk per machine made returning 1,000 machines quadratic.
    public func returnMachines(_ order: ReturnOrder) async -> [MachineOutcome] {
        MachineProcessTable.shared.invalidate()
        defer { MachineProcessTable.shared.invalidate() }
        struct Returning {
            var machine: ReturnOrder.Machine
            var leader: ProcessIdentity?
            var grace: Int64
            var killedAt: Int64?
            var stopped: Bool?
        }
        var returning = order.machines.map { machine -> Returning in
            let identity = machine.providerID.flatMap { handle in
                handle.hasPrefix("local:") ? ProcessIdentity(parsing: String(handle.dropFirst("local:".count))) : nil
            }
            let grace = identity.flatMap { Int64(ProcFileSystem.environment(of: $0.pid)[MachineTags.stopTimeout] ?? "") }
                ?? TemplateSpec.defaultStopTimeout.milliseconds
            return Returning(machine: machine, leader: identity, grace: grace)
        }
        var leaders: [Int32: String] = [:]
        for item in returning { if let leader = item.leader { leaders[leader.pid] = item.machine.id } }
        var members = self.members(ofLeaders: leaders, owner: order.owner)
        for index in returning.indices {
            let item = returning[index]
            let alive = item.leader?.isAlive == true
            let own = members[item.machine.id] ?? []
            guard alive || !own.isEmpty else {
                returning[index].stopped = true
                continue
            }
            if let leader = item.leader, alive { kill(-leader.pid, SIGTERM) }
            for pid in own where pid != item.leader?.pid { kill(pid, SIGTERM) }
        }
        let started = ContinuousClock.now
        while returning.contains(where: { $0.stopped == nil }) {
            try? await Task.sleep(for: .milliseconds(20))
            reapChildren()
            members = self.members(ofLeaders: leaders, owner: order.owner)
            let elapsed = (ContinuousClock.now - started).milliseconds
            for index in returning.indices where returning[index].stopped == nil {
                let item = returning[index]
                let own = members[item.machine.id] ?? []
                if own.isEmpty {
                    returning[index].stopped = true
                } else if let killedAt = item.killedAt {
                    if elapsed - killedAt > 5_000 { returning[index].stopped = false }
                } else if elapsed >= item.grace {
                    if let leader = item.leader, leader.isAlive { kill(-leader.pid, SIGKILL) }
                    for pid in own { kill(pid, SIGKILL) }
                    returning[index].killedAt = elapsed
                }
            }
        }
        return returning.map { item in
            item.stopped == true
                ? MachineOutcome(machineID: item.machine.id, providerID: item.machine.providerID)
                : MachineOutcome(machineID: item.machine.id, providerID: item.machine.providerID, error: ProviderError(
                    code: "return-timeout", message: "machine \(item.machine.id) did not exit after KILL", retryable: true))
        }
    }

    /// Live processes (not zombies) of each machine, by machine id: those in its leader's
    /// session or process group whose environment carries its tags (the leader and everything
    /// it started inherit them; the tag check keeps a reused pid or group id from ever matching).
    func members(ofLeaders leaders: [Int32: String], owner: String) -> [String: [Int32]] {
        guard !leaders.isEmpty else { return [:] }
        var found: [String: [Int32]] = [:]
        for pid in ProcFileSystem.processIDs() {
            guard let stat = ProcFileSystem.stat(of: pid), stat.state != "Z", stat.state != "X",
                  let machineID = leaders[stat.session] ?? leaders[stat.processGroup] else { continue }
            let tags = ProcFileSystem.environment(of: pid)
            if tags[MachineTags.machine] == machineID && tags[MachineTags.managedBy] == owner { found[machineID, default: []].append(pid) }
        }
        return found
    }

    private func reapChildren() {
        children.withLock { pids in
            for pid in pids {
                var status: Int32 = 0
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid || (result < 0 && errno == ECHILD) { pids.remove(pid) }
            }
        }
    }
}

extension Duration {
    fileprivate var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
