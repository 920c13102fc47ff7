internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecEngine
internal import OrbrecAPI

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "The action journal, newest first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only actions on this resource, e.g. Fleet/workers.", valueName: "kind/name"))
    var resource: String?

    @Option(help: "At most this many actions.")
    var limit: Int = 50

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await Session.run(global) { session in
            var filter: ResourceID?
            if let resource {
                guard let parsed = ResourceID(parsing: resource) else {
                    throw CommandFailure(.error, "'\(resource)' is not KIND/NAME (for example Fleet/workers)")
                }
                filter = parsed
            }
            let rows = try await session.openJournal()?.actions(resource: filter, limit: limit).map(ActionDocument.init) ?? []
            if output.format.isDocument {
                try session.terminal.document(rows, as: output.format)
            } else {
                session.terminal.out(rows.isEmpty ? "No actions." : ActionDocument.table(rows, now: SystemClock().now()).rendered)
            }
            return .success
        }
    }
}
