internal import ArgumentParser
internal import Foundation

/// The filters of `orbrec get`. The filter on state is `--status`: `--state` is the global
/// option naming the state file, and `get machines --state running` must not quietly open
/// a state file called `running`.
struct ListFilters: ParsableArguments {
    @Option(help: ArgumentHelp("Only tasks of this pool.", valueName: "pool"))
    var pool: String?

    @Option(help: ArgumentHelp("Only machines (and requests) of this fleet.", valueName: "fleet"))
    var fleet: String?

    @Option(help: ArgumentHelp("Only partitions and jobs of this scheduler.", valueName: "scheduler"))
    var scheduler: String?

    @Option(name: [.customShort("s"), .long],
            help: ArgumentHelp("Only objects in this state: running, pending, completed, dead_letter, OutOfSync, Healthy, failed…", valueName: "state"))
    var status: String?

    @Option(name: [.customShort("l"), .customLong("selector")],
            help: ArgumentHelp("Only objects whose labels match: key=value, key!=value or key (repeatable; all must match). A machine or task has its fleet's or pool's labels.",
                               valueName: "selector"))
    var selectors: [String] = []

    func validate() throws {
        for selector in selectors where selector.isEmpty || selector.hasPrefix("=") || selector.hasPrefix("!=") {
            throw ValidationError("-l '\(selector)' is not key=value, key!=value or key")
        }
    }

    /// Whether `labels` satisfy every `-l`.
    func matches(labels: [String: String]) -> Bool {
        selectors.allSatisfy { selector in
            if let range = selector.range(of: "!=") {
                return labels[String(selector[..<range.lowerBound])] != String(selector[range.upperBound...])
            }
            if let equals = selector.firstIndex(of: "=") {
                return labels[String(selector[..<equals])] == String(selector[selector.index(after: equals)...])
            }
            return labels[selector] != nil
        }
    }

    /// Whether `state` is the one `--status` asks for (any casing; `dead-letter`, `deadLetter`
    /// and `dead_letter` alike).
    func matches(state: String) -> Bool {
        guard let status else { return true }
        func folded(_ text: String) -> String { text.lowercased().filter { $0 != "-" && $0 != "_" } }
        return folded(status) == folded(state)
    }
}

extension ListFilters {
    var isFiltering: Bool { pool != nil || fleet != nil || scheduler != nil || status != nil || !selectors.isEmpty }
}
