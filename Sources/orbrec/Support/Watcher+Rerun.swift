internal import OrbrecProcess

extension Watcher {
    /// Watches this very command line without its `--watch`, run again as `watch(1)` does,
    /// whenever the state changes: what is shown is exactly what the command prints, in
    /// whatever output format it was asked for. (Its own run prints no colour: it writes
    /// to a pipe.) What it prints on stderr is shown only when it fails.
    func runAgainWithoutWatch() async throws -> ExitStatus {
        let arguments = Array(CommandLine.arguments.dropFirst()).filter { $0 != "--watch" && $0 != "-w" }
        let executable = Session.executablePath
        return try await run { _ in try await Self.output(of: executable, arguments) }
    }

    /// In orbrec's own process group, so a Ctrl-C at the terminal reaches the run too.
    static func output(of executable: String, _ arguments: [String]) async throws -> String {
        let exit = try await ChildProcess.run(ProcessLaunch([executable] + arguments, stdout: .capture(limit: 64 << 20),
                                                            stderr: .capture(limit: 1 << 20), grouping: .inherit))
        var text = exit.stdout.text
        if text.hasSuffix("\n") { text.removeLast() }
        if exit.status != 0 {
            text += (text.isEmpty ? "" : "\n") + exit.stderr.text + "(exit \(exit.status))"
        }
        return text
    }
}
