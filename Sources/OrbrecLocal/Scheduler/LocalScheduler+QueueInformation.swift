public import OrbrecCore
internal import Foundation
internal import Glibc

/// The local scheduler as a cluster of one: a partition named `local` with its slots, and
/// the commands it runs as its jobs, so `orbrec get partitions|jobs` and `status` read the
/// same on a laptop as on a cluster.
extension LocalScheduler: SchedulerQueueInformation {
    public static let partitionName = "local"

    public var configuredPartition: String? { Self.partitionName }

    public func partitions() async throws -> [QueuePartition] {
        let running = commands().count
        let total = slots ?? max(running, ProcessInfo.processInfo.activeProcessorCount)
        let used = min(running, total)
        let node = used == 0 ? QueuePartition.Nodes(idle: 1) : used < total ? QueuePartition.Nodes(mixed: 1) : QueuePartition.Nodes(allocated: 1)
        return [QueuePartition(name: Self.partitionName, state: .up, isDefault: true, nodes: node,
                               cpus: QueuePartition.CPUs(allocated: used, idle: total - used, other: 0, total: total),
                               memoryMB: Self.memoryMB, timeLimit: .unlimited)]
    }

    /// The commands it runs now: this state's, and with `all` those of every other state that
    /// uses a local scheduler of this name on this host.
    public func jobs(ownedBy owner: String, all: Bool) async throws -> [QueueJob] {
        let user = Self.userName
        let now = Int64(Date().timeIntervalSince1970)
        let boot = ProcFileSystem.bootTime()
        return commands().filter { all || $0.owner == owner }.map { command in
            let started = boot + Int64(command.startTicks) / max(1, ProcFileSystem.ticksPerSecond)
            return QueueJob(id: "local:\(command.pid):\(command.startTicks)", name: "\(command.pool)/\(command.key)", user: user,
                            partition: Self.partitionName, state: "RUNNING", timeUsed: .seconds(Int(max(0, now - started))),
                            timeLimit: nil, nodes: 1, reason: "None", ownedByState: command.owner == owner, pool: command.pool,
                            taskKey: command.key, attempt: command.attempt)
        }.sorted { ($0.pool ?? "", $0.taskKey ?? "", $0.id) < ($1.pool ?? "", $1.taskKey ?? "", $1.id) }
    }

    /// Nothing to charge on a local scheduler: nothing is checked.
    public func accounts() async throws -> [String]? { nil }

    struct RunningCommand {
        var pid: Int32
        var startTicks: UInt64
        var owner: String
        var pool: String
        var key: String
        var attempt: Int
    }

    /// The live commands this scheduler's supervisors started, for any state: session leaders
    /// tagged with its name (supervisors and zombies left out).
    func commands() -> [RunningCommand] {
        ProcFileSystem.processIDs().compactMap { pid in
            guard let stat = ProcFileSystem.stat(of: pid), stat.state != "Z", stat.session == pid else { return nil }
            let tags = ProcFileSystem.environment(of: pid)
            guard tags[Tag.scheduler] == name, tags[Tag.role] != "supervisor", let owner = tags[Tag.managedBy],
                  let pool = tags[Tag.pool], let key = tags[Tag.key], let attempt = tags[Tag.attempt].flatMap(Int.init) else { return nil }
            return RunningCommand(pid: pid, startTicks: stat.startTicks, owner: owner, pool: pool, key: key, attempt: attempt)
        }
    }

    static var userName: String {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "uid\(getuid())" }
        return String(cString: name)
    }

    static var memoryMB: Int? {
        let megabytes = ProcessInfo.processInfo.physicalMemory / (1 << 20)
        return megabytes > 0 && megabytes <= UInt64(Int.max) ? Int(megabytes) : nil
    }
}
