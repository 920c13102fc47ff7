public import OrbrecCore
internal import Foundation

/// Attempts described in a file, for runners started by a cluster scheduler: one job (or
/// one task of a job array, chosen by its index) runs `orbrec _run-attempt --manifest=FILE`
/// and finds its key, attempt, argv and environment here. The argv never passes through a
/// shell: sbatch is given a fixed script and this file.
public struct AttemptManifest: Codable, Sendable, Hashable {
    /// One attempt: its key, number and argv, as the scheduler was asked to start it.
    public typealias Entry = SubmitOrder.Attempt

    public var owner: String
    public var scheduler: String
    public var pool: String
    /// `<state dir>/tasks`: where the attempts' output and results go.
    public var root: String
    public var env: [String: String]
    public var workdir: String?
    /// The pool's walltime, which the cluster enforces: a runner stopped by the cluster once
    /// it has run that long was timed out, not interrupted.
    public var walltimeMilliseconds: Int64?
    public var entries: [Entry]

    public init(owner: String, scheduler: String, pool: String, root: String, env: [String: String], workdir: String?,
                walltimeMilliseconds: Int64? = nil, entries: [Entry]) {
        self.walltimeMilliseconds = walltimeMilliseconds
        self.owner = owner
        self.scheduler = scheduler
        self.pool = pool
        self.root = root
        self.env = env
        self.workdir = workdir
        self.entries = entries
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        let temporary = path + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    public static func read(from path: String) -> AttemptManifest? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(AttemptManifest.self, from: data)
    }

    /// Runs the entry at `index` (a job array's task id, 0 for a plain job) to its end.
    public func run(index: Int, grace: Int64) -> Int32 {
        guard entries.indices.contains(index) else {
            FileHandle.standardError.write(Data("orbrec: the manifest has no attempt at index \(index)\n".utf8))
            return 2
        }
        let entry = entries[index]
        let files = AttemptFiles(root: root, pool: pool, key: entry.key)
        try? FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: true)
        for (name, value) in env { setenv(name, value, 1) }
        // The cluster enforces the walltime; the runner only tells its TERM from an interruption.
        return AttemptRunner.run(AttemptRunner.Options(
            argv: entry.argv, workdir: workdir, stdoutPath: files.stdout(entry.attempt), stderrPath: files.stderr(entry.attempt),
            resultPath: files.result(entry.attempt), walltimeMilliseconds: nil, graceMilliseconds: grace, owner: owner,
            scheduler: scheduler, pool: pool, key: entry.key, attempt: entry.attempt, clusterWalltimeMilliseconds: walltimeMilliseconds))
    }
}
