extension Planner {
    /// The partitions and accounts the configuration names, against what each scheduler says it
    /// has: one it does not have is an error where it is written, found now rather than when
    /// sbatch refuses every attempt. A scheduler that could not be asked blocks nothing: the
    /// plan says what it could not check.
    func checkQueues(_ input: PlanInput) -> (errors: [Diagnostic], warnings: [Diagnostic]) {
        guard !input.queues.isEmpty else { return ([], []) }
        var errors: [Diagnostic] = []
        var warnings: [Diagnostic] = []
        let references = QueueReference.all(in: input.desired)
        for (scheduler, named) in Dictionary(grouping: references, by: \.scheduler).sorted(by: { $0.key < $1.key }) {
            switch input.queues[scheduler] {
            case nil:
                continue
            case .unreachable(let reason):
                let values = named.map { "\($0.field.rawValue) \($0.value)" }
                warnings.append(.warning(
                    "queue-unchecked",
                    "scheduler \(scheduler) could not be asked for its partitions and accounts (\(reason)); "
                        + Self.list(Array(Set(values)).sorted()) + " not checked",
                    at: named.compactMap(\.location).min()))
            case .observed(let partitions, let accounts):
                for reference in named {
                    switch reference.field {
                    case .partition where !partitions.contains(reference.value):
                        errors.append(.error(
                            "unknown-partition",
                            "\(reference.owner): scheduler \(scheduler) has no partition \(reference.value)"
                                + Self.known("partitions", partitions), at: reference.location))
                    case .account where accounts.map({ !$0.contains(reference.value) }) ?? false:
                        errors.append(.error(
                            "unknown-account",
                            "\(reference.owner): the user may not charge account \(reference.value) on scheduler \(scheduler)"
                                + Self.known("accounts", accounts ?? []), at: reference.location))
                    default:
                        break
                    }
                }
            }
        }
        return (errors, warnings)
    }

    private static func known(_ what: String, _ names: Set<String>) -> String {
        names.isEmpty ? " (it reports none)" : " (\(what): \(names.sorted().prefix(20).joined(separator: ", "))\(names.count > 20 ? ", ..." : ""))"
    }

    private static func list(_ values: [String]) -> String {
        values.count == 1 ? values[0] : values.dropLast().joined(separator: ", ") + " and " + (values.last ?? "")
    }
}
