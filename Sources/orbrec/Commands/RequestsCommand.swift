internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecEngine
internal import OrbrecAPI

struct RequestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests", abstract: "Machine requests and return requests.", subcommands: [Status.self, Cancel.self, Show.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Requests with their status and machines, as the Open Resource Broker's 'requests status'.",
            discussion: "With no daemon holding the state, asking also moves the requests on (one pass over their fleets), as each of ORB's status calls does.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Request ids (req-… or ret-…).", completion: ResourceCompletion.kind(.request))
        var ids: [String]

        @Flag(help: "Only read: do not move the requests on.")
        var readOnly = false

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Session.run(global) { session in
                let desired = try session.loadConfiguration().desired
                guard let store = try await session.openJournal() else { throw CommandFailure(.error, "no request \(ids.joined(separator: ", "))") }
                let driver = MachineRequestDriver(session: session, store: store, desired: desired)
                do {
                    let reports = try await driver.reports(ids, act: !readOnly)
                    try RequestsCommand.show(reports, session: session, format: output.format)
                } catch let refused as MachineRequestRefused {
                    throw refused.commandFailure
                }
                return .success
            }
        }
    }

    /// Prints reports: one JSON/YAML document (`{"requests": [...]}` for several, the request
    /// itself for one), or a table per request.
    static func show(_ reports: [MachineRequestReport], session: Session, format: OutputFormat) throws {
        if format.isDocument {
            if reports.count == 1, let report = reports.first {
                try session.terminal.document(MachineRequestDocument(report), as: format)
            } else {
                try session.terminal.document(MachineRequestsDocument(reports), as: format)
            }
            return
        }
        for report in reports {
            session.terminal.out("\(report.id)  \(report.kind.rawValue)  \(report.status.rawValue)  \(report.message)")
            var table = format == .wide ? Table("MACHINE", "STATE", "RESULT", "PRIVATE IP", "PUBLIC IP", "HOSTNAME", "LAUNCHED", "MESSAGE")
                : Table("MACHINE", "STATE", "RESULT", "PRIVATE IP", "PUBLIC IP", "LAUNCHED")
            for machine in report.machines {
                let addresses = machine.addresses
                if format == .wide {
                    table.add(machine.id, machine.state.rawValue, machine.result.rawValue, addresses.privateIP ?? "-", addresses.publicIP ?? "-",
                              addresses.hostname ?? "-", Format.time(machine.launchedAt), machine.message)
                } else {
                    table.add(machine.id, machine.state.rawValue, machine.result.rawValue, addresses.privateIP ?? "-", addresses.publicIP ?? "-",
                              Format.time(machine.launchedAt))
                }
            }
            if !report.machines.isEmpty { session.terminal.out(table.rendered) }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw machine requests: they want nothing more, and what they hold is returned.",
            discussion: "The same as 'machines return --request REQ' for each id, without the policy check of a return of chosen machines.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Machine request ids (req-…).", completion: ResourceCompletion.kind(.request))
        var ids: [String]

        @Option(help: "How long to wait for the state lock before leaving the returns to the process that holds it.")
        var lockTimeout: ConfigDuration = ConfigDuration(milliseconds: 0)

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Session.run(global) { session in
                let desired = try session.loadConfiguration().desired
                guard let store = try await session.openExistingStore() else { throw CommandFailure(.error, session.noStateMessage) }
                let driver = MachineRequestDriver(session: session, store: store, desired: desired)
                let withdrawn: (returnID: String?, machines: [String])
                do {
                    withdrawn = try await driver.reconciler.withdrawRequests(ids, actor: Session.actor)
                } catch let refused as MachineRequestRefused {
                    throw refused.commandFailure
                }
                let say = output.format.isDocument ? session.terminal.err : session.terminal.out
                say("withdrawn: \(ids.joined(separator: ", "))" + (withdrawn.returnID.map { "; \($0) returns \(withdrawn.machines.joined(separator: ", "))" } ?? ""))
                if try await driver.act(on: Set(ids), operation: "requests cancel", lockTimeout: lockTimeout) == nil {
                    say("the state is locked by another process (a daemon or an apply); it returns the machines")
                }
                try RequestsCommand.show(try await driver.reports(ids, act: false), session: session, format: output.format)
                return .success
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One request a plan's action made, with its machines.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "A request id (req-… or ret-…).", completion: ResourceCompletion.kind(.request))
        var id: String

        @OptionGroup var outputOptions: OutputOptions
        var output: OutputFormat { outputOptions.format }

        func run() async throws {
            try await Session.run(global) { session in
                guard let store = try await session.openJournal() else { throw CommandFailure(.error, "no request \(id)") }
                guard let (request, machines) = try await store.request(id: id) else {
                    // A machine request or return request made by a command: its status report.
                    let reports = try? await session.reconciler(store).requestReports([id])
                    guard let reports else { throw CommandFailure(.error, "no request \(id)") }
                    try RequestsCommand.show(reports, session: session, format: output)
                    return .success
                }
                let document = RequestDocument(request, machines: machines)
                if output.isDocument {
                    try session.terminal.document(document, as: output)
                    return .success
                }
                session.terminal.out("""
                    Request:  \(document.id)
                    Kind:     \(document.kind)
                    Status:   \(document.status)
                    Resource: \(document.resource)
                    Action:   \(document.action)
                    Created:  \(Format.time(request.createdAt))
                    Updated:  \(Format.time(request.updatedAt))
                    Message:  \(document.message)

                    """)
                var table = Table("MACHINE", "STATE", "MESSAGE")
                for machine in document.machines { table.add(machine.id, machine.state, machine.message) }
                session.terminal.out(table.rendered)
                return .success
            }
        }
    }
}
