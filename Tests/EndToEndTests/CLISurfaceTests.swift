import Foundation
import Testing

/// Issue 16, item 3: global options before or after the command, --help listing them, a
/// did-you-mean for a misspelt command, and the version with the build's commit and date.
@Suite struct CLISurfaceTests {
    @Test func globalOptionsWorkBeforeAndAfterTheCommand() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        let after = try h.run(["plan", "--json", "-c", h.config, "--state", h.state])
        #expect(after.status == 0, "\(after.stderr)")
        let before = try h.run(["-c", h.config, "--state", h.state, "plan", "--json"])
        #expect(before.status == 0, "\(before.stderr)")
        let inline = try h.run(["--config=\(h.config)", "--state=\(h.state)", "--no-color", "--log-level", "warn", "plan", "--json"])
        #expect(inline.status == 0, "\(inline.stderr)")
        let documents = try [after, before, inline].map { try h.json($0.stdout) }
        for document in documents {
            #expect((document["actions"] as? [[String: Any]])?.count == 1, "\(document)")
            #expect(document["state_id"] as? String == documents[0]["state_id"] as? String, "the same state every time")
        }

        // Before a nested command: moved after its full name (`tasks cancel`), where it is parsed.
        let nested = try h.run(["-c", h.config, "--state", h.state, "lock", "status", "-o", "json"])
        #expect(nested.status == 0, "\(nested.stderr)")
        #expect(try h.json(nested.stdout).keys.contains("lock"))

        // The same option's errors in both places.
        let badBefore = try h.run(["--log-level", "loud", "plan", "-c", h.config, "--state", h.state])
        let badAfter = try h.run(["plan", "--log-level", "loud", "-c", h.config, "--state", h.state])
        #expect(badBefore.status == 1 && badAfter.status == 1)
        #expect(badBefore.stderr.contains("loud") && badAfter.stderr.contains("loud"), "\(badBefore.stderr)")
    }

    @Test func helpListsTheGlobalOptions() throws {
        let h = try Harness()
        let help = try h.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("GLOBAL OPTIONS"), "\(help.stdout)")
        for option in ["--config", "--state", "--log-level", "--policies", "--no-color"] {
            #expect(help.stdout.contains(option), "\(option) in --help")
        }
        #expect(help.stdout.contains("before or after the command"), "--help says where they may go")
        #expect(help.stdout.contains("describe") && help.stdout.contains("version"), "the new commands are listed")
    }

    @Test func aMisspeltCommandGetsADidYouMean() throws {
        let h = try Harness()
        let top = try h.run(["aply"])
        #expect(top.status == 1, "usage errors exit 1 (docs/cli.md)")
        #expect(top.stderr.contains("unknown command 'aply'"), "\(top.stderr)")
        #expect(top.stderr.contains("Did you mean 'apply'?"), "\(top.stderr)")

        let withGlobals = try h.run(["-c", h.config, "--state", h.state, "stauts"])
        #expect(withGlobals.status == 1)
        #expect(withGlobals.stderr.contains("Did you mean 'status'?"), "\(withGlobals.stderr)")

        let nested = try h.run(["tasks", "cancle", "sims"])
        #expect(nested.status == 1)
        #expect(nested.stderr.contains("for 'orbrec tasks'") && nested.stderr.contains("Did you mean 'cancel'?"), "\(nested.stderr)")

        let far = try h.run(["frobnicate"])
        #expect(far.status == 1)
        #expect(far.stderr.contains("unknown command 'frobnicate'") && !far.stderr.contains("Did you mean"), "\(far.stderr)")
        #expect(far.stdout.isEmpty)
    }

    @Test func versionPrintsTheVersionCommitAndBuildDate() throws {
        let h = try Harness()
        let command = try h.run(["version"])
        let flag = try h.run(["--version"])
        #expect(command.status == 0 && flag.status == 0, "\(command.stderr) \(flag.stderr)")
        #expect(command.stdout == flag.stdout, "version and --version agree")
        let lines = command.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(command.stdout)")
        #expect(lines.first?.hasPrefix("orbrec 0.") == true, "\(command.stdout)")

        let json = try h.run(["version", "-o", "json"])
        #expect(json.status == 0)
        let document = try h.json(json.stdout)
        let commit = try #require(document["commit"] as? String)
        let date = try #require(document["date"] as? String)
        #expect(lines.contains("commit: \(commit)") && lines.contains("built:  \(date)"), "\(command.stdout)")
        // Built from this clone: the commit is git's (perhaps of a modified tree), never "unknown".
        #expect(commit.range(of: #"^[0-9a-f]{12}(-modified)?$"#, options: .regularExpression) != nil, "commit \(commit)")
        #expect(date.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"#, options: .regularExpression) != nil, "date \(date)")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let known = try h.runProgram("/usr/bin/env", ["git", "-C", root, "cat-file", "-t", String(commit.prefix(12))])
        #expect(known.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "commit", "\(commit) is a commit of this repository")
    }
}
