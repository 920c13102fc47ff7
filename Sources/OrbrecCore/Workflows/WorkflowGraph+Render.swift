extension WorkflowGraph {
    /// Graphviz dot: one node per step (its name and what it does), an edge from each
    /// step to the steps that need it; `always` steps dashed.
    public func dot(name: String) -> String {
        var lines = ["digraph \(Self.quoted(name)) {", "  rankdir=LR;", "  node [shape=box, style=rounded];"]
        for step in steps {
            let style = step.always ? ", style=\"rounded,dashed\"" : ""
            lines.append("  \(Self.quoted(step.name)) [label=\(Self.quoted("\(step.name)\n\(step.summary)"))\(style)];")
        }
        for step in steps {
            for need in step.needs { lines.append("  \(Self.quoted(need)) -> \(Self.quoted(step.name));") }
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    /// Mermaid `flowchart LR`, the same graph; `always` steps as stadiums.
    public func mermaid() -> String {
        var lines = ["flowchart LR"]
        for step in steps {
            let label = "\(step.name): \(step.summary)".replacingQuotes()
            lines.append(step.always ? "  \(Self.identifier(step.name))([\"\(label)\"])" : "  \(Self.identifier(step.name))[\"\(label)\"]")
        }
        for step in steps {
            for need in step.needs { lines.append("  \(Self.identifier(need)) --> \(Self.identifier(step.name))") }
        }
        return lines.joined(separator: "\n")
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    /// Mermaid ids: letters, digits and `_` only.
    static func identifier(_ name: String) -> String {
        "s_" + String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        String(map { $0 == "\"" ? "'" : $0 })
    }
}
