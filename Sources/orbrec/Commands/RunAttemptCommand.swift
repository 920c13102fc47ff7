internal import ArgumentParser
internal import Foundation
internal import OrbrecLocal

/// `orbrec _run-attempt`: the runner of one local attempt, started by the local scheduler.
/// Not for people: hidden from help.
struct RunAttemptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "_run-attempt", shouldDisplay: false)

    @Option var owner: String
    @Option var scheduler: String
    @Option var pool: String
    @Option var key: String
    @Option var attempt: Int
    @Option var stdout: String
    @Option var stderr: String
    @Option var result: String
    @Option var workdir: String?
    @Option(name: .customLong("walltime-ms")) var walltime: Int64?
    @Option(name: .customLong("grace-ms")) var grace: Int64 = 5000
    @Argument(parsing: .postTerminator) var argv: [String]

    func run() throws {
        let status = AttemptRunner.run(AttemptRunner.Options(
            argv: argv, workdir: workdir, stdoutPath: stdout, stderrPath: stderr, resultPath: result,
            walltimeMilliseconds: walltime, graceMilliseconds: grace, owner: owner, scheduler: scheduler, pool: pool,
            key: key, attempt: attempt))
        Foundation.exit(status)
    }
}
