internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecEngine

extension MachinesCommand {
    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask for machines of a template, as the Open Resource Broker's 'machines request'.",
            discussion: """
                The request (req-…) is journaled before the command answers; from then on it is held like a fleet of \
                the configuration: its machines are kept until they are returned, and replaced if lost unless the \
                template says 'replaceLostMachines: false'. It counts against the template's maxMachines and the \
                policies. With no daemon holding the state this command provisions the machines itself; with one, \
                the daemon does.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The template's name.")
        var template: String

        @Argument(help: "How many machines.")
        var count: Int

        @Flag(help: "Wait until the machines run (or the request fails).")
        var wait = false

        @Option(help: "How long --wait waits.")
        var timeout: ConfigDuration = .seconds(600)

        @Option(help: "How long to wait for the state lock before leaving the request to the process that holds it.")
        var lockTimeout: ConfigDuration = ConfigDuration(milliseconds: 0)

        @Option(help: "A key that makes a retry of this command answer the request it made instead of asking again.")
        var idempotencyKey: String?

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if count < 1 { throw ValidationError("COUNT is at least 1") }
        }

        func run() async throws {
            try await Session.run(global) { session in
                let desired = try session.loadConfiguration().desired
                let store = try await session.openStore()
                let driver = MachineRequestDriver(session: session, store: store, desired: desired)
                let answer: (demand: MachineDemand, created: Bool)
                do {
                    answer = try await driver.reconciler.admitMachineRequest(template: template, count: count, configured: desired,
                                                                             actor: Session.actor, idempotencyKey: idempotencyKey)
                } catch let refused as MachineRequestRefused {
                    throw refused.commandFailure
                }
                let say = output.format.isDocument ? session.terminal.err : session.terminal.out
                say(answer.created ? "\(answer.demand.id): \(count) machine(s) of template \(template) requested"
                        : "\(answer.demand.id): already requested with this idempotency key")
                if let outcomes = try await driver.act(on: [answer.demand.id], operation: "machines request", lockTimeout: lockTimeout) {
                    for outcome in outcomes where !outcome.succeeded { session.terminal.note("\(outcome.action.detail): \(outcome.message)") }
                } else {
                    say("the state is locked by another process (a daemon or an apply); it provisions the machines")
                }
                let deadline = wait ? Date().addingTimeInterval(Double(timeout.milliseconds) / 1000) : nil
                let report = try require(try await driver.reports([answer.demand.id], act: wait, until: deadline).first, "report of \(answer.demand.id)")
                try RequestsCommand.show([report], session: session, format: output.format)
                if wait && !report.status.isFinished {
                    throw CommandFailure(.error, "\(report.id) is still \(report.status.rawValue) after \(timeout)")
                }
                return report.status == .failed ? .error : .success
            }
        }
    }
}

/// A value a command cannot go on without, or exit 1 naming what was missing.
func require<T>(_ value: T?, _ what: @autoclosure () -> String) throws -> T {
    guard let value else { throw CommandFailure(.error, "no \(what())") }
    return value
}
