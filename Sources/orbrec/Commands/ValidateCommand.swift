internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecAPI

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Load and check the configuration; report every problem with file:line:col.")

    @OptionGroup var global: GlobalOptions

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await Session.run(global) { session in
            if output.format.isDocument {
                // The diagnostics are the document: on stdout, and the exit code still says whether it is valid.
                let document: ValidationDocument
                do {
                    let loaded = try session.loadConfiguration()
                    document = ValidationDocument(loaded: loaded, diagnostics: loaded.warnings)
                } catch let failure as CommandFailure {
                    document = ValidationDocument(loaded: nil, diagnostics: failure.diagnostics)
                }
                try session.terminal.document(document, as: output.format)
                return document.valid ? .success : .error
            }
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

/// `validate -o json`: whether the configuration is valid, every diagnostic with its code
/// and location, and what it declares.
struct ValidationDocument: Encodable {
    var valid: Bool
    var errors: Int
    var warnings: Int
    var diagnostics: [DiagnosticDocument]
    var files: [String]
    /// Resources by kind (`Fleet: 2`), for a valid configuration.
    var resources: [String: Int]

    init(loaded: LoadedConfiguration?, diagnostics: [Diagnostic]) {
        errors = diagnostics.filter { $0.severity == .error }.count
        warnings = diagnostics.count - errors
        valid = loaded != nil && errors == 0
        self.diagnostics = diagnostics.map(DiagnosticDocument.init)
        files = loaded?.files ?? []
        resources = Dictionary(grouping: loaded?.desired.resources ?? [], by: \.id.kind.rawValue).mapValues(\.count)
        if let policies = loaded?.desired.policies, !policies.isEmpty { resources["Policy"] = policies.count }
    }
}
