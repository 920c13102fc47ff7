internal import ArgumentParser
internal import OrbrecSpec

/// `orbrec explain Fleet.spec.updateStrategy`: a field's type, constraints and meaning with
/// the fields below it, from the tables the loader reads, as `kubectl explain` shows them.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Describe a kind or one of its fields: type, constraints, meaning and the fields below it.",
        discussion: "PATH is a kind (Fleet, fleets) followed by field names: Fleet.spec.updateStrategy, Workflow.spec.steps.retry.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "KIND or KIND.field.field…")
    var path: String

    func run() async throws {
        try await Session.run(global) { session in
            do throws(FieldExplanation.Failure) {
                let explanation = try FieldExplanation(path)
                session.terminal.out(explanation.rendered)
            } catch {
                throw CommandFailure(.error, error.message)
            }
            return .success
        }
    }
}
