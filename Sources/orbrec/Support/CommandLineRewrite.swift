internal import ArgumentParser

/// The command line as ArgumentParser is given it. ArgumentParser parses an option group
/// only where the command that declares it is named, so `orbrec -c cfg plan` would be the
/// root's options. As `git -C` and `terraform -chdir`, orbrec accepts the global options
/// before the command too: those written before the command's name are moved to just after
/// its full name (`-c cfg tasks logs P K` → `tasks logs -c cfg P K`), where every command
/// parses them, so their meaning and errors are the same in both places.
enum CommandLineRewrite {
    /// The options of `GlobalOptions`, and whether each takes a value: the one list the
    /// rewrite and shell completion (`ResourceCompletion`) read (CompletionTests checks it
    /// against the parser's own definitions).
    static let globalOptions: [(names: [String], takesValue: Bool)] = [
        (["-c", "--config"], true), (["--state"], true), (["--log-level"], true), (["--policies"], true), (["--no-color"], false),
    ]

    static func hoistingGlobalOptions(_ arguments: [String], root: any ParsableCommand.Type) -> [String] {
        var index = 0
        var hoisted: [String] = []
        while index < arguments.count {
            let argument = arguments[index]
            guard let (takesValue, inline) = globalOption(argument) else { break }
            if takesValue && !inline {
                guard index + 1 < arguments.count else { break }
                hoisted += [argument, arguments[index + 1]]
                index += 2
            } else {
                hoisted.append(argument)
                index += 1
            }
        }
        guard !hoisted.isEmpty else { return arguments }
        let end = subcommandPathEnd(arguments, from: index, root: root)
        // No command after them: left where they are, for the root's help and errors.
        guard end > index else { return arguments }
        return Array(arguments[index..<end]) + hoisted + Array(arguments[end...])
    }

    /// The global options among `arguments` that have one of `names`, each with its value,
    /// wherever they stand: for `GlobalOptions.parse`, so they mean what they mean to a command.
    static func globalOptionWords(_ arguments: [String], named names: Set<String>) -> [String] {
        var index = 0
        var found: [String] = []
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard let option = matchingGlobalOption(argument) else { continue }
            let wanted = !names.isDisjoint(with: option.names)
            if wanted { found.append(argument) }
            if option.takesValue && !option.inline, index < arguments.count {
                if wanted { found.append(arguments[index]) }
                index += 1
            }
        }
        return found
    }

    /// Whether `argument` is a global option: `--state`, `--state=PATH`, `-c`, `-cDIR`.
    private static func globalOption(_ argument: String) -> (takesValue: Bool, inline: Bool)? {
        matchingGlobalOption(argument).map { ($0.takesValue, $0.inline) }
    }

    private static func matchingGlobalOption(_ argument: String) -> (names: [String], takesValue: Bool, inline: Bool)? {
        for option in globalOptions {
            for name in option.names {
                if argument == name { return (option.names, option.takesValue, false) }
                if option.takesValue, name.hasPrefix("--"), argument.hasPrefix(name + "=") { return (option.names, true, true) }
                if option.takesValue, !name.hasPrefix("--"), argument.hasPrefix(name), argument.count > name.count { return (option.names, true, true) }
            }
        }
        return nil
    }

    /// The index just past the subcommand names that start at `start`.
    static func subcommandPathEnd(_ arguments: [String], from start: Int, root: any ParsableCommand.Type) -> Int {
        var command = root
        var index = start
        while index < arguments.count, let next = subcommand(named: arguments[index], of: command) {
            command = next
            index += 1
        }
        return index
    }

    static func subcommand(named name: String, of command: any ParsableCommand.Type) -> (any ParsableCommand.Type)? {
        command.configuration.subcommands.first { $0._commandName == name || $0.configuration.aliases.contains(name) }
    }

    /// A word where a command's name must be (after a command that only has subcommands) that
    /// names none: the error, with the closest name when one is near (`aply` → `apply`).
    static func unknownSubcommand(_ arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path = [root._commandName]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if let (takesValue, inline) = globalOption(argument) {
                if takesValue && !inline { index += 1 }
                continue
            }
            // `help` is ArgumentParser's own (`orbrec help plan`).
            if argument.hasPrefix("-") || argument == "help" { return nil }
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { return nil }
            guard let next = subcommand(named: argument, of: command) else {
                let names = subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName }
                let parent = path.joined(separator: " ")
                let hint = closest(to: argument, among: names).map { " Did you mean '\($0)'?" } ?? ""
                return "unknown command '\(argument)' for '\(parent)'.\(hint) Run '\(parent) --help' for the commands."
            }
            command = next
            path.append(argument)
        }
        return nil
    }

    /// The name nearest `word` by edit distance, if it is near enough to be a slip
    /// (a third of its length, at least one edit), or the only name `word` begins.
    static func closest(to word: String, among names: [String]) -> String? {
        let scored = names.map { ($0, distance(word, $0)) }.sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }
        if let best = scored.first, best.1 <= max(1, best.0.count / 3) { return best.0 }
        let prefixed = names.filter { $0.hasPrefix(word) }
        return prefixed.count == 1 ? prefixed[0] : nil
    }

    /// Levenshtein distance with transpositions counted as one edit (`aplpy` → `apply`).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1) }
            }
        }
        return table[a.count][b.count]
    }
}
