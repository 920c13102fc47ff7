import Foundation
import Testing

/// `scripts/install.sh` with the built binary: the binary, a man page that renders, and
/// completions that complete in a real bash.
@Suite struct InstallTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func installPutsTheBinaryManPageAndCompletionsUnderThePrefix() throws {
        let h = try Harness()
        let prefix = h.directory + "/prefix"
        let install = try Self.run(h, "/bin/bash", [Self.repository + "/scripts/install.sh"], ["PREFIX": prefix, "ORBREC_BIN": Harness.binary])
        #expect(install.status == 0, "\(install.stderr)")
        for file in ["bin/orbrec", "share/man/man1/orbrec.1", "share/bash-completion/completions/orbrec",
                     "share/zsh/site-functions/_orbrec", "share/fish/vendor_completions.d/orbrec.fish"] {
            #expect(FileManager.default.fileExists(atPath: "\(prefix)/\(file)"), "\(file)")
        }
        #expect(FileManager.default.isExecutableFile(atPath: prefix + "/bin/orbrec"))
        #expect(try Self.run(h, prefix + "/bin/orbrec", ["--version"]).status == 0)

        // The man page: every visible command has a section, and groff renders it without a warning.
        let page = try String(contentsOfFile: prefix + "/share/man/man1/orbrec.1", encoding: .utf8)
        #expect(page.hasPrefix(".TH ORBREC 1"))
        for command in ["apply", "plan", "status", "lock force\\-unlock", "tasks logs"] {
            #expect(page.contains(".SS orbrec \(command)"), "\(command)")
        }
        #expect(!page.contains("_supervise"), "hidden commands stay out of the page")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") {
            let rendered = try Self.run(h, "/usr/bin/groff", ["-man", "-Tutf8", "-ww", "-z", prefix + "/share/man/man1/orbrec.1"])
            #expect(rendered.status == 0)
            #expect(rendered.stderr.isEmpty, "\(rendered.stderr)")
        }

        // The bash completion, sourced in a real bash: a command name and a flag complete.
        let script = """
            source '\(prefix)/share/bash-completion/completions/orbrec'
            complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
              _orbrec orbrec "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf '%s\\n' "${COMPREPLY[@]}"; }
            complete_words orbrec ap
            echo ---
            complete_words orbrec apply --auto
            """
        let completed = try Self.run(h, "/bin/bash", ["-c", script], ["PATH": prefix + "/bin:/usr/bin:/bin"])
        #expect(completed.status == 0, "\(completed.stderr)")
        let parts = completed.stdout.components(separatedBy: "---\n")
        #expect(parts.first?.split(separator: "\n").contains("apply") == true, "\(completed.stdout)")
        #expect(parts.last?.split(separator: "\n").contains("--auto-approve") == true, "\(completed.stdout)")

        // Names complete from the configuration and ids from the state the typed -c and --state name.
        try h.writeFleet(count: 2)
        #expect(try h.orbrec("apply", "--auto-approve", "--wait").status == 0)
        let machines = try h.runningMachines()
        let names = """
            source '\(prefix)/share/bash-completion/completions/orbrec'
            complete_words() { COMPREPLY=(); COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
              _orbrec orbrec "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf '%s\\n' "${COMPREPLY[@]}"; }
            complete_words orbrec machines return -c '\(h.config)' --state '\(h.state)' ''
            echo ---
            complete_words orbrec describe -c '\(h.config)' --state '\(h.state)' Fl
            """
        let named = try Self.run(h, "/bin/bash", ["-c", names], ["PATH": prefix + "/bin:/usr/bin:/bin"])
        let answers = named.stdout.components(separatedBy: "---\n")
        #expect(Set(answers.first?.split(separator: "\n").map(String.init) ?? []) == machines, "\(named.stdout) \(named.stderr)")
        #expect(answers.last?.split(separator: "\n").map(String.init) == ["Fleet/workers"], "\(named.stdout)")
    }

    static func run(_ h: Harness, _ program: String, _ arguments: [String], _ environment: [String: String] = [:]) throws -> Harness.Result {
        let process = try h.spawn(program, arguments, environment: environment)
        process.closeInput()
        return try process.wait(timeout: 120)
    }
}
