internal import ArgumentParser
internal import Foundation
internal import OrbrecAttempts

/// `orbrec _run-attempt`: the runner of one local attempt, started by the local scheduler.
/// Not for people: hidden from help.
struct RunAttemptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "_run-attempt", shouldDisplay: false)

    /// A cluster job's attempts (slurm): the rest comes from this file and the array index.
    @Option var manifest: String?
    @Option var owner: String = ""
    @Option var scheduler: String = ""
    @Option var pool: String = ""
    @Option var key: String = ""
    @Option var attempt: Int = 1
    @Option var stdout: String = ""
    @Option var stderr: String = ""
    @Option var result: String = ""
    @Option var workdir: String?
    @Option(name: .customLong("walltime-ms")) var walltime: Int64?
    @Option(name: .customLong("grace-ms")) var grace: Int64 = 5000
    @Argument(parsing: .postTerminator) var argv: [String] = []

    func run() throws {
        if let manifest {
            guard let loaded = AttemptManifest.read(from: manifest) else {
                FileHandle.standardError.write(Data("orbrec: cannot read the attempt manifest \(manifest)\n".utf8))
                Foundation.exit(2)
            }
            let index = ProcessInfo.processInfo.environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) ?? 0
            Foundation.exit(loaded.run(index: index, grace: grace))
        }
        let status = AttemptRunner.run(AttemptRunner.Options(
            argv: argv, workdir: workdir, stdoutPath: stdout, stderrPath: stderr, resultPath: result,
            walltimeMilliseconds: walltime, graceMilliseconds: grace, owner: owner, scheduler: scheduler, pool: pool,
            key: key, attempt: attempt))
        Foundation.exit(status)
    }
}
