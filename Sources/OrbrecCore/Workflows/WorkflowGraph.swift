/// The DAG of a workflow's steps: the order they can run in, and what is wrong with it.
public struct WorkflowGraph: Sendable {
    public let steps: [WorkflowSpec.Step]
    let index: [String: Int]

    public init(_ steps: [WorkflowSpec.Step]) {
        self.steps = steps
        var index: [String: Int] = [:]
        for (position, step) in steps.enumerated() where index[step.name] == nil { index[step.name] = position }
        self.index = index
    }

    /// Problems with their locations: duplicate names, unknown or self `needs`, and each
    /// cycle once (`a → b → a`).
    public var problems: [Diagnostic] {
        var problems: [Diagnostic] = []
        var seen: Set<String> = []
        for step in steps where !seen.insert(step.name).inserted {
            problems.append(.error("duplicate-step", "step '\(step.name)' is declared twice; step names must be unique", at: step.location))
        }
        for step in steps {
            for need in step.needs where index[need] == nil {
                problems.append(.error("unknown-step", "step '\(step.name)' needs '\(need)', which is not a step of this workflow"
                                       + Self.didYouMean(need, among: steps.map(\.name)), at: step.location))
            }
            if step.needs.contains(step.name) {
                problems.append(.error("workflow-cycle", "step '\(step.name)' needs itself", at: step.location))
            }
        }
        for cycle in cycles where cycle.count > 1 {
            let path = (cycle + [cycle[0]]).joined(separator: " → ")
            problems.append(.error("workflow-cycle", "steps form a cycle: \(path)", at: steps[index[cycle[0]]!].location))
        }
        return problems
    }

    /// Steps in an order where each comes after everything it needs; among steps that are
    /// free at the same time, the order they are written in. Nil when there is a cycle.
    public var order: [String]? {
        var remaining = Dictionary(steps.map { ($0.name, Set($0.needs.filter { index[$0] != nil })) }, uniquingKeysWith: { a, _ in a })
        var order: [String] = []
        while !remaining.isEmpty {
            guard let next = steps.first(where: { remaining[$0.name]?.isEmpty == true }) else { return nil }
            order.append(next.name)
            remaining[next.name] = nil
            for key in remaining.keys { remaining[key]?.remove(next.name) }
        }
        return order
    }

    /// The cycles, each as the steps on it in the order they need each other (`a` needs
    /// `b` needs … needs `a`), starting with the earliest written; each reported once.
    public var cycles: [[String]] {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        var found: [[String]] = []
        var seenCycles: Set<Set<String>> = []
        func visit(_ name: String) {
            state[name] = 1
            stack.append(name)
            for need in steps[index[name]!].needs where index[need] != nil && need != name {
                if state[need] == 1, let start = stack.firstIndex(of: need) {
                    let cycle = Array(stack[start...])
                    if seenCycles.insert(Set(cycle)).inserted {
                        let first = cycle.min { index[$0]! < index[$1]! }!
                        found.append(cycle.rotatedToFront(first))
                    }
                } else if state[need] == nil {
                    visit(need)
                }
            }
            stack.removeLast()
            state[name] = 2
        }
        for step in steps where state[step.name] == nil && index[step.name] != nil { visit(step.name) }
        return found
    }

    static func didYouMean(_ name: String, among names: [String]) -> String {
        let close = names.filter { Self.distance($0.lowercased(), name.lowercased()) <= max(1, name.count / 3) }
        return close.first.map { "; did you mean '\($0)'?" } ?? ""
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() { current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))) }
            previous = current
        }
        return previous[b.count]
    }
}

extension Array where Element == String {
    fileprivate func rotatedToFront(_ first: String) -> [String] {
        guard let position = firstIndex(of: first) else { return self }
        return Array(self[position...] + self[..<position])
    }
}
