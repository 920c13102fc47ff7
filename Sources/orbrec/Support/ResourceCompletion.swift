internal import ArgumentParser
internal import Foundation
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
        .custom { words, index, prefix in
            candidates(slot, words: words, index: index).filter { $0.hasPrefix(prefix) }.sorted()
        }
    }

    static func candidates(_ slot: Slot, words: [String], index: Int) -> [String] {
        let options = Options(words)
        switch slot {
        case .machine: return (try? options.store()?.activeMachines().map(\.id)) ?? []
        case .request: return (try? options.store()?.requests(limit: 200).map(\.id)) ?? []
        case .lock: return ((try? options.store()?.currentLock()).flatMap { $0 }).map { [$0.id] } ?? []
        case .workflowRun: return (try? options.store()?.workflowRuns().map(\.id)) ?? []
        case .workflow: return options.desired().map { Array($0.workflows.keys) } ?? []
        case .pool: return options.desired().map { Array($0.pools.keys) } ?? []
        case .taskKey:
            // The pool is the first positional word after the subcommand: `tasks logs POOL KEY`.
            guard let pool = options.positionals(before: index).dropFirst(2).first else { return [] }
            return (try? options.store()?.tasks(pool: pool).map(\.key)) ?? []
        case .resource:
            guard let desired = options.desired() else { return [] }
            return desired.fleets.keys.map { "Fleet/\($0)" } + desired.pools.keys.map { "TaskPool/\($0)" }
                + desired.templates.keys.map { "Template/\($0)" } + desired.providers.keys.map { "Provider/\($0)" }
                + desired.schedulers.keys.map { "Scheduler/\($0)" } + desired.workflows.keys.map { "Workflow/\($0)" }
        case .getName:
            // `get KIND NAME`: what NAME may be depends on KIND.
            let kind = options.positionals(before: index).dropFirst(2).first ?? ""
            switch kind {
            case "fleets", "fleet": return options.desired().map { Array($0.fleets.keys) } ?? []
            case "pools", "pool", "tasks", "task": return options.desired().map { Array($0.pools.keys) } ?? []
            case "templates", "template": return options.desired().map { Array($0.templates.keys) } ?? []
            case "workflows", "workflow": return options.desired().map { Array($0.workflows.keys) } ?? []
            case "machines", "machine": return candidates(.machine, words: words, index: index)
            case "requests", "request": return candidates(.request, words: words, index: index)
            default: return []
            }
        }
    }

    /// The global options among the words typed, and the positional words.
    private struct Options {
        var config = "."
        var state: String?
        var words: [String]

        init(_ words: [String]) {
            self.words = words
            var index = 0
            while index < words.count {
                let word = words[index]
                if (word == "-c" || word == "--config"), index + 1 < words.count {
                    config = words[index + 1]
                    index += 1
                } else if word.hasPrefix("--config=") {
                    config = String(word.dropFirst("--config=".count))
                } else if word == "--state", index + 1 < words.count {
                    state = words[index + 1]
                    index += 1
                } else if word.hasPrefix("--state=") {
                    state = String(word.dropFirst("--state=".count))
                }
                index += 1
            }
        }

        var statePath: String {
            state ?? ProcessInfo.processInfo.environment["ORBREC_STATE"].flatMap { $0.isEmpty ? nil : $0 }
                ?? StateLocation.defaultPath(forConfiguration: config)
        }

        func store() throws -> StateStore? {
            try StateStore.openExisting(path: statePath)
        }

        func desired() -> DesiredState? {
            let directory = (StateLocation.absolute(statePath) as NSString).deletingLastPathComponent
            return try? ConfigLoader().load(config, excluding: [directory, directory + "/tasks", directory + "/machines"]).desired
        }

        /// Words before `index` that are neither options nor option values (the command's
        /// name first).
        func positionals(before index: Int) -> [String] {
            var found: [String] = []
            var position = 0
            let valued: Set<String> = ["-c", "--config", "--state", "--log-level", "--policies", "-o", "--output", "--pool", "--fleet",
                                        "-s", "--status", "-l", "--limit", "--lock-timeout", "--timeout", "--target", "--replace"]
            while position < min(index, words.count) {
                let word = words[position]
                if valued.contains(word) {
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
