internal import ArgumentParser
internal import Foundation
internal import OrbrecLocal

/// `orbrec _supervise`: the attempt supervisor of one local scheduler, started by orbrec on
/// the first submit. Not for people: hidden from help.
struct SuperviseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "_supervise", shouldDisplay: false)

    @Option var owner: String
    @Option var scheduler: String
    @Option var root: String
    @Option(name: .customLong("grace-ms")) var grace: Int64 = 5000
    /// The orbrec that started it: its orders are refused once that process is no longer its parent.
    @Option var parent: Int32?

    func run() throws {
        Foundation.exit(AttemptSupervisor.run(AttemptSupervisor.Options(owner: owner, scheduler: scheduler, root: root,
                                                                        graceMilliseconds: grace, parent: parent)))
    }
}
