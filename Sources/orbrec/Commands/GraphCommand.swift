internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecSpec

struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "Print a workflow's steps as a graph: Graphviz dot, or mermaid.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The workflow.")
    var name: String

    @Option(help: "dot or mermaid.")
    var format: String = "dot"

    func validate() throws {
        guard ["dot", "mermaid"].contains(format) else { throw ValidationError("--format must be dot or mermaid") }
    }

    func run() async throws {
        try await Session.run(global) { session in
            let desired = try session.loadConfiguration().desired
            guard let workflow = desired.workflows[name] else {
                let known = desired.workflows.keys.sorted()
                throw CommandFailure(.error, "no workflow '\(name)' in the configuration"
                    + (known.isEmpty ? "" : "; workflows: \(known.joined(separator: ", "))"))
            }
            let graph = WorkflowGraph(workflow.steps)
            session.terminal.out(format == "mermaid" ? graph.mermaid() : graph.dot(name: workflow.name))
            return .success
        }
    }
}
