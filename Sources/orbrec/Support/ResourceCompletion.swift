internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore

/// Shell completion of what a command names: resources from the configuration, machine,
/// request, lock and run ids and task keys from the state. The shell calls orbrec with the
/// words typed so far; `-c`/`--config` and `--state` among them choose the configuration and
/// state, as they would for the command. Anything that cannot be read completes nothing:
/// a completion never prints an error.
enum ResourceCompletion {
    enum Slot: Sendable {
        case machine, request, lock, workflowRun, workflow, pool, taskKey, resource, getName
    }

    static func kind(_ slot: Slot) -> CompletionKind {
        // Async: the state is read through the store's async API (`Orbrec.main` parses with
        // `asyncParseAsRoot`, which is what runs async completions).
        .custom { words, index, prefix async in
            await candidates(slot, words: words, index: index).filter { $0.hasPrefix(prefix) }.sorted()
        }
    }

    static func candidates(_ slot: Slot, words: [String], index: Int) async -> [String] {
        let options = Options(words)
        switch slot {
        case .machine: return (try? await options.store()?.activeMachines().map(\.id)) ?? []
        case .request: return (try? await options.store()?.requests(limit: 200).map(\.id)) ?? []
        case .lock: return ((try? await options.store()?.currentLock()).flatMap { $0 }).map { [$0.id] } ?? []
        case .workflowRun: return (try? await options.store()?.workflowRuns().map(\.id)) ?? []
        case .workflow: return options.desired().map { Array($0.workflows.keys) } ?? []
        case .pool: return options.desired().map { Array($0.pools.keys) } ?? []
        case .taskKey:
            // The pool is the command's first argument: `tasks logs POOL KEY`.
            guard let pool = options.firstArgument(before: index) else { return [] }
            return (try? await options.store()?.tasks(pool: pool).map(\.key)) ?? []
        case .resource:
            guard let desired = options.desired() else { return [] }
            return desired.fleets.keys.map { "Fleet/\($0)" } + desired.pools.keys.map { "TaskPool/\($0)" }
                + desired.templates.keys.map { "Template/\($0)" } + desired.providers.keys.map { "Provider/\($0)" }
                + desired.schedulers.keys.map { "Scheduler/\($0)" } + desired.workflows.keys.map { "Workflow/\($0)" }
        case .getName:
            // `get KIND NAME`: what NAME may be depends on KIND.
            let kind = options.firstArgument(before: index) ?? ""
            switch kind {
            case "fleets", "fleet": return options.desired().map { Array($0.fleets.keys) } ?? []
            case "pools", "pool", "tasks", "task": return options.desired().map { Array($0.pools.keys) } ?? []
            case "templates", "template": return options.desired().map { Array($0.templates.keys) } ?? []
            case "workflows", "workflow": return options.desired().map { Array($0.workflows.keys) } ?? []
            case "machines", "machine": return await candidates(.machine, words: words, index: index)
            case "requests", "request": return await candidates(.request, words: words, index: index)
            default: return []
            }
        }
    }

    /// The words typed: the configuration and state their `-c`/`--config` and `--state`
    /// choose, through the `GlobalOptions` and `Session` every command uses, and the
    /// positional words.
    private struct Options {
        var words: [String]
        /// Nil when the typed options do not parse: nothing then completes.
        var session: Session?

        init(_ words: [String]) {
            self.words = words
            let typed = CommandLineRewrite.globalOptionWords(words, named: ["--config", "--state"])
            session = (try? GlobalOptions.parse(typed)).map { Session($0) }
        }

        func store() async throws -> StateStore? {
            try await session?.openExistingStore()
        }

        func desired() -> DesiredState? {
            try? session?.loadConfiguration().desired
        }

        /// Options of the commands that complete from a positional word (`get KIND NAME`,
        /// `tasks logs POOL KEY`) that take a value, besides the global ones.
        static let commandOptionsTakingValues: Set<String> = [
            "-o", "--output", "--pool", "--fleet", "-s", "--status", "-l", "--selector", "--limit", "--lock-timeout", "--timeout",
            "--target", "--replace", "--attempt", "--scheduler",
        ]

        static let optionsTakingValues = commandOptionsTakingValues.union(
            CommandLineRewrite.globalOptions.filter(\.takesValue).flatMap(\.names))

        /// The first positional word before `index` after the command's full name (`get`,
        /// `tasks logs`), which the words start with after the program's.
        func firstArgument(before index: Int) -> String? {
            let words = Array(positionals(before: index).dropFirst())
            return words.dropFirst(CommandLineRewrite.subcommandPathEnd(words, from: 0, root: Orbrec.self)).first
        }

        /// Words before `index` that are neither options nor option values (the program's
        /// name first).
        func positionals(before index: Int) -> [String] {
            var found: [String] = []
            var position = 0
            while position < min(index, words.count) {
                let word = words[position]
                if Self.optionsTakingValues.contains(word) {
                    position += 2
                    continue
                }
                if !word.hasPrefix("-") { found.append(word) }
                position += 1
            }
            return found
        }
    }
}
