internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecSpec

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Load and check the configuration; report every problem with file:line:col.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await Session.run(global) { session in
            let loaded = try session.loadConfiguration()
            let desired = loaded.desired
            session.terminal.out(session.terminal.green("The configuration is valid:")
                + " \(desired.providers.count) provider(s), \(desired.templates.count) template(s), "
                + "\(desired.fleets.count) fleet(s)"
                + (desired.schedulers.isEmpty && desired.pools.isEmpty ? "" : ", \(desired.schedulers.count) scheduler(s), \(desired.pools.count) task pool(s)")
                + (desired.workflows.isEmpty ? "" : ", \(desired.workflows.count) workflow(s)")
                + (desired.policies.isEmpty ? "" : ", \(desired.policies.count) polic\(desired.policies.count == 1 ? "y" : "ies")")
                + " in \(loaded.files.count) file(s).")
            return .success
        }
    }
}
