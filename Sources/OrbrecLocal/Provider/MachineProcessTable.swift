internal import Foundation
internal import Glibc
internal import Synchronization

/// The machine leaders of /proc (session leaders carrying orbrec's tags), by owner and
/// provider, from one walk shared by every local provider of this process for a moment.
///
/// Each provider walking /proc itself made a look at N local providers cost N walks, each
/// reading the environment of every process: 20,000 providers took 41 s to plan. A walk now
/// serves every look for `freshness`, and any provision or return in this process starts
/// the next look with a new walk, so orbrec never misses what it has just done itself; a
/// leader served from a walk has its state read again. Only a machine another process
/// started in that moment waits for the next look.
final class MachineProcessTable: Sendable {
    struct Leader: Sendable {
        var pid: Int32
        var stat: ProcFileSystem.Stat
        var tags: [String: String]
    }

    private struct Key: Hashable {
        var owner: String
        var provider: String
    }

    private struct Walk {
        var takenAt: ContinuousClock.Instant
        var generation: Int
        var leaders: [Key: [Leader]]
    }

    static let shared = MachineProcessTable()
    static let freshness: Duration = .milliseconds(200)

    private let state = Mutex<(generation: Int, walk: Walk?)>((0, nil))

    /// The leaders of `owner`'s machines on `provider`, as of a walk at most `freshness` old
    /// and taken after this process last changed its machines.
    func leaders(owner: String, provider: String) -> [Leader] {
        let now = ContinuousClock.now
        let (generation, cached) = state.withLock { ($0.generation, $0.walk) }
        if let cached, cached.generation == generation, now - cached.takenAt < Self.freshness {
            // Each leader's state is read again (a file per machine of this provider): one that
            // died or stopped since the walk shows as it is now.
            return (cached.leaders[Key(owner: owner, provider: provider)] ?? []).compactMap { leader in
                guard let stat = ProcFileSystem.stat(of: leader.pid), stat.startTicks == leader.stat.startTicks else { return nil }
                return Leader(pid: leader.pid, stat: stat, tags: leader.tags)
            }
        }
        let walk = Walk(takenAt: now, generation: generation, leaders: Self.walk())
        state.withLock { current in
            if current.generation == walk.generation { current.walk = walk }
        }
        return walk.leaders[Key(owner: owner, provider: provider)] ?? []
    }

    /// Called before and after this process starts or stops machines.
    func invalidate() {
        state.withLock {
            $0.generation += 1
            $0.walk = nil
        }
    }

    private static func walk() -> [Key: [Leader]] {
        var leaders: [Key: [Leader]] = [:]
        for pid in ProcFileSystem.processIDs() {
            // Only a session leader is a machine: its children share its tags but not its role.
            guard let stat = ProcFileSystem.stat(of: pid), stat.session == pid else { continue }
            let environment = ProcFileSystem.environment(of: pid)
            guard let owner = environment[MachineTags.managedBy], let provider = environment[MachineTags.provider] else { continue }
            let tags = environment.filter { MachineTags.isReserved($0.key) }
            leaders[Key(owner: owner, provider: provider), default: []].append(Leader(pid: pid, stat: stat, tags: tags))
        }
        return leaders
    }
}
