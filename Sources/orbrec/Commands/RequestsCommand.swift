internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecServer

struct RequestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests", abstract: "Machine requests and return requests.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One request with its machines.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "A request id (req-… or ret-…).", completion: ResourceCompletion.kind(.request))
        var id: String

        @OptionGroup var outputOptions: OutputOptions
        var output: OutputFormat { outputOptions.format }

        func run() async throws {
            try await Session.run(global) { session in
                guard let store = try await session.openJournal(), let (request, machines) = try await store.request(id: id) else {
                    throw CommandFailure(.error, "no request \(id)")
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
