internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecSpec

struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "Print a workflow's steps, or with --resources what uses what, as a graph: Graphviz dot, or mermaid.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The workflow (not needed when there is only one).", completion: ResourceCompletion.kind(.workflow))
    var name: String?

    @Flag(help: "Draw the resources instead: Provider → Template → Fleet, Scheduler → TaskPool, and what each workflow drives.")
    var resources = false

    @Option(help: "dot or mermaid.")
    var format: String = "dot"

    func validate() throws {
        guard ["dot", "mermaid"].contains(format) else { throw ValidationError("--format must be dot or mermaid") }
        if resources, name != nil { throw ValidationError("--resources draws every resource: name no workflow") }
    }

    func run() async throws {
        try await Session.run(global) { session in
            let desired = try session.loadConfiguration().desired
            if resources {
                let graph = ResourceGraph(desired)
                session.terminal.out(format == "mermaid" ? graph.mermaid() : graph.dot())
                return .success
            }
            let known = desired.workflows.keys.sorted()
            guard let name = name ?? (known.count == 1 ? known.first : nil) else {
                throw CommandFailure(.error, known.isEmpty ? "there is no workflow in the configuration; 'orbrec graph --resources' draws its resources"
                    : "name a workflow: \(known.joined(separator: ", "))")
            }
            guard let workflow = desired.workflows[name] else {
                throw CommandFailure(.error, "no workflow '\(name)' in the configuration"
                    + (known.isEmpty ? "" : "; workflows: \(known.joined(separator: ", "))"))
            }
            let graph = WorkflowGraph(workflow.steps)
            session.terminal.out(format == "mermaid" ? graph.mermaid() : graph.dot(name: workflow.name))
            return .success
        }
    }
}
