import Foundation
import Testing

/// Shell completion of what commands name, asked of the binary as the generated scripts ask
/// it: the typed `-c` and `--state` (or `ORBREC_STATE`, or neither) choose the same
/// configuration and state as the command itself would.
@Suite struct CompletionTests {
    /// The candidates the binary prints for the word after `typed`, when a shell completes
    /// `argument` of `command` (`orbrec ---completion COMMAND… -- ARGUMENT INDEX CURSOR WORDS…`).
    static func complete(_ h: Harness, _ command: [String], _ argument: String, _ typed: [String],
                         environment: [String: String]) throws -> [String] {
        let words = ["orbrec"] + command + typed + [""]
        let result = try h.run(["---completion"] + command + ["--", argument, String(words.count - 1), "0"] + words,
                               environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "a completion prints no error: \(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func completionReadsTheStateAndConfigurationTheCommandWould() throws {
        let h = try Harness()
        defer { h.killMachines() }
        try h.writeFleet(count: 1)
        // Three states with a machine each: named inside the configuration (its directory is
        // then not configuration), named by ORBREC_STATE, and the default beside the configuration.
        let named = h.config + "/named/state.db"
        let fromEnvironment = h.directory + "/environment/state.db"
        let beside = h.config + "/.orbrec/state.db"
        let applies: [([String], String)] = [(["--state", named], ""), ([], fromEnvironment), ([], "")]
        for (flags, variable) in applies {
            let apply = try h.run(["apply", "--auto-approve", "--wait", "-c", h.config] + flags, environment: ["ORBREC_STATE": variable])
            #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        }
        // Configuration in the named state's directory: read only where that state is not the one chosen.
        try h.write("named/stray.yaml", "kind: [not, closed\n")

        let ways: [(typed: [String], variable: String, state: String)] = [
            (["-c", h.config, "--state", named], "", named),
            (["--config=\(h.config)", "--state=\(named)"], "", named),
            (["-c", h.config, "--state", named], fromEnvironment, named),
            (["--config", h.config], fromEnvironment, fromEnvironment),
            (["-c", h.config], "", beside),
        ]
        var seen: [String: [String]] = [:]
        for way in ways {
            let environment = ["ORBREC_STATE": way.variable]
            // What the command reads, through the same words.
            let listed = try h.run(["get", "machines", "-o", "json"] + way.typed, environment: environment)
            #expect(listed.status == 0, "\(listed.stderr)")
            let rows = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
            let machines = rows.compactMap { $0["id"] as? String }.sorted()
            #expect(machines.count == 1, "\(way.typed) \(way.variable): \(listed.stdout)")
            #expect(seen[way.state, default: machines] == machines, "one state, one answer")
            seen[way.state] = machines

            let completed = try Self.complete(h, ["machines", "return"], "positional@0", way.typed, environment: environment)
            #expect(completed == machines, "\(way.typed) ORBREC_STATE=\(way.variable)")

            let validate = try h.run(["validate"] + way.typed, environment: environment)
            let resources = try Self.complete(h, ["describe"], "positional@0", way.typed, environment: environment)
            if way.state == named {
                #expect(validate.status == 0, "\(validate.stderr)")
                #expect(resources.contains("Fleet/workers"), "\(way.typed): \(resources)")
            } else {
                #expect(validate.status != 0, "the stray file is configuration here")
                #expect(resources.isEmpty, "\(way.typed): \(resources)")
            }
        }
        #expect(Set(seen.values).count == 3, "three states, three machines: \(seen)")
    }

    @Test func valuesOfTheGlobalOptionsAreNotTakenForWhatIsNamed() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        // The global options as GlobalOptions declares them (`orbrec --help`); a new one that
        // takes a value must be known to the completion, or its value reads as the KIND of `get KIND NAME`.
        let help = try h.run(["--help"]).stdout
        let section = try #require(help.range(of: "GLOBAL OPTIONS")).upperBound
        let lines = help[section...].split(separator: "\n").prefix { $0.hasPrefix(" ") }
        let valued = lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("-") && $0.contains("<") }
            .flatMap { line in
                line.prefix { $0 != "<" }.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
        #expect(Set(valued).isSuperset(of: ["-c", "--config", "--state", "--log-level", "--policies"]), "\(lines)")
        for option in valued {
            let value = ["-c": h.config, "--config": h.config, "--state": h.state, "--log-level": "debug"][option] ?? h.directory
            let typed = ["-c", h.config, "--state", h.state, option, value, "fleets"]
            let names = try Self.complete(h, ["get"], "positional@1", typed, environment: ["ORBREC_STATE": ""])
            #expect(names == ["workers"], "get \(option) \(value) fleets: \(names)")
        }
    }

    @Test func namesCompleteAfterEveryOptionTheCommandTakesWithAValue() throws {
        let h = try Harness()
        try h.writePool(spec: """
            range: {from: 1, to: 3}
            command: ["true"]
            """)
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        let environment = ["ORBREC_STATE": ""]
        let located = ["-c", h.config, "--state", h.state]
        #expect(try Self.complete(h, ["tasks", "logs"], "positional@1", located + ["sims"], environment: environment) == ["1", "2", "3"])

        // The commands that complete from an earlier positional word, with every option their
        // parser declares (`--experimental-dump-help`) typed before that word: its value is not the word.
        let cases: [(command: [String], first: String, expected: [String])] = [
            (["get"], "pools", ["sims"]), (["tasks", "logs"], "sims", ["1", "2", "3"]),
            (["tasks", "requeue"], "sims", ["1", "2", "3"]), (["tasks", "cancel"], "sims", ["1", "2", "3"]),
        ]
        for (command, first, expected) in cases {
            let dump = try h.run(command + ["--experimental-dump-help"])
            let arguments = (try h.json(dump.stdout)["command"] as? [String: Any])?["arguments"] as? [[String: Any]] ?? []
            let flags = arguments.filter { $0["kind"] as? String == "option" }.flatMap { argument in
                (argument["names"] as? [[String: String]] ?? []).map { ($0["kind"] == "long" ? "--" : "-") + ($0["name"] ?? "") }
            }
            #expect(flags.count > 4, "\(command): \(dump.stdout.prefix(300))")
            for flag in flags {
                let value = ["-c": h.config, "--config": h.config, "--state": h.state][flag] ?? "x"
                let typed = located + [flag, value, first]
                let names = try Self.complete(h, command, "positional@1", typed, environment: environment)
                #expect(names == expected, "\(command) \(flag) \(value) \(first): \(names)")
            }
        }
    }
}
