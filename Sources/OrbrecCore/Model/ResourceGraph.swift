/// Which resource uses which, as `graph --resources` draws it: Provider → Template → Fleet and
/// Scheduler → TaskPool (an edge points at the resource that uses the other), and dashed,
/// from each workflow, the fleets and pools its steps drive, and the schedulers its inline
/// pools and jobs run on.
public struct ResourceGraph: Sendable, Hashable {
    public struct Node: Sendable, Hashable {
        public var id: ResourceID
        /// A few words on the spec: `local`, `count 2`, `8 task(s)`.
        public var detail: String
    }

    public struct Edge: Sendable, Hashable {
        public var from: ResourceID
        public var to: ResourceID
        /// The workflow step behind an edge to or from a workflow.
        public var step: String?
    }

    public var nodes: [Node]
    public var edges: [Edge]

    public init(_ desired: DesiredState) {
        var nodes: [Node] = []
        var edges: [Edge] = []
        for provider in desired.providers.values { nodes.append(Node(id: provider.id, detail: provider.type.rawValue)) }
        for template in desired.templates.values {
            nodes.append(Node(id: template.id, detail: template.maxMachines.map { "max \($0)" } ?? ""))
            edges.append(Edge(from: ResourceID(.provider, template.provider), to: template.id))
        }
        for fleet in desired.fleets.values {
            nodes.append(Node(id: fleet.id, detail: "count \(fleet.count)"))
            edges.append(Edge(from: ResourceID(.template, fleet.template), to: fleet.id))
        }
        for scheduler in desired.schedulers.values { nodes.append(Node(id: scheduler.id, detail: scheduler.type.rawValue)) }
        for pool in desired.pools.values {
            nodes.append(Node(id: pool.id, detail: "\(pool.tasks.count) task(s)"))
            edges.append(Edge(from: ResourceID(.scheduler, pool.scheduler), to: pool.id))
        }
        for workflow in desired.workflows.values {
            nodes.append(Node(id: workflow.id, detail: "\(workflow.steps.count) step(s)"))
            for step in workflow.steps {
                switch step.work {
                case .provision(let fleet, _, _): edges.append(Edge(from: workflow.id, to: ResourceID(.fleet, fleet), step: step.name))
                case .taskPool(let ref): edges.append(Edge(from: workflow.id, to: ResourceID(.taskPool, ref), step: step.name))
                case .inlinePool(let pool):
                    edges.append(Edge(from: ResourceID(.scheduler, pool.scheduler), to: workflow.id, step: step.name))
                case .run(let scheduler, _, _): edges.append(Edge(from: ResourceID(.scheduler, scheduler), to: workflow.id, step: step.name))
                }
            }
        }
        self.nodes = nodes.sorted { $0.id < $1.id }
        var seen = Set<Edge>()
        self.edges = edges.sorted { ($0.from, $0.to, $0.step ?? "") < ($1.from, $1.to, $1.step ?? "") }.filter { seen.insert($0).inserted }
    }

    /// Graphviz dot, one box per resource; workflow edges dashed and labelled with their step.
    public func dot(name: String = "resources") -> String {
        var lines = ["digraph \(WorkflowGraph.quoted(name)) {", "  rankdir=LR;", "  node [shape=box, style=rounded];"]
        for node in nodes {
            let label = node.detail.isEmpty ? node.id.description : "\(node.id.description)\n\(node.detail)"
            lines.append("  \(WorkflowGraph.quoted(node.id.description)) [label=\(WorkflowGraph.quoted(label))];")
        }
        for edge in edges {
            let style = edge.step.map { " [style=dashed, label=\(WorkflowGraph.quoted($0))]" } ?? ""
            lines.append("  \(WorkflowGraph.quoted(edge.from.description)) -> \(WorkflowGraph.quoted(edge.to.description))\(style);")
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    /// Mermaid `flowchart LR`, the same graph; workflow edges dotted with their step.
    public func mermaid() -> String {
        var lines = ["flowchart LR"]
        for node in nodes {
            let label = (node.detail.isEmpty ? node.id.description : "\(node.id.description): \(node.detail)").map { $0 == "\"" ? "'" : $0 }
            lines.append("  \(Self.identifier(node.id))[\"\(String(label))\"]")
        }
        for edge in edges {
            let arrow = edge.step.map { "-. \(String($0.map { $0 == "\"" || $0 == "|" ? "'" : $0 })) .->" } ?? "-->"
            lines.append("  \(Self.identifier(edge.from)) \(arrow) \(Self.identifier(edge.to))")
        }
        return lines.joined(separator: "\n")
    }

    /// Mermaid ids: letters, digits and `_` only; the kind keeps a fleet and a pool of one name apart.
    static func identifier(_ id: ResourceID) -> String {
        id.kind.rawValue.lowercased() + "_" + String(id.name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
