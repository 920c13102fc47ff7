internal import ArgumentParser
internal import Foundation

@main
struct Orbrec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orbrec",
        abstract: "Reconcile declared machines and work with what providers and schedulers report.",
        discussion: globalOptionsHelp + """

            Exit codes: 0 success, 1 error, 2 plan found changes (--detailed-exitcode), 3 policy denied, 4 stale plan, 5 state locked.
            """,
        version: BuildInfo.summary,
        subcommands: [
            InitCommand.self, ValidateCommand.self, PlanCommand.self, ApplyCommand.self, DestroyCommand.self, StatusCommand.self,
            SchemaCommand.self, ExplainCommand.self,
            GetCommand.self, DescribeCommand.self, TasksCommand.self, EventsCommand.self, RequestsCommand.self, HistoryCommand.self, MachinesCommand.self, HostFactoryCommand.self,
            LockCommand.self, StateCommand.self, RunCommand.self, TokenCommand.self, MCPCommand.self, WorkflowsCommand.self, GraphCommand.self, PolicyCommand.self,
            VersionCommand.self, RunAttemptCommand.self, SuperviseCommand.self,
        ])

    /// The global options as `orbrec --help` lists them. The root cannot declare them: its
    /// parse would take them from after the command's name too, before the command could, and
    /// main moves those written before the command after its name anyway (CommandLineRewrite).
    static var globalOptionsHelp: String {
        let help = GlobalOptions.helpMessage(columns: 80)
        guard let start = help.range(of: "OPTIONS:") else { return "" }
        let lines = help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("-h, --help") && !$0.contains("Show help information") }
        return "GLOBAL OPTIONS (before or after the command):"
            + lines.joined(separator: "\n").trimmingCharacters(in: .newlines).split(separator: "\n").map { "\n" + $0 }.joined()
    }

    /// As ArgumentParser's own `main`, except that a usage error exits 1, not 64: every
    /// command keeps to the exit codes of DESIGN.md section 5.
    static func main() async {
        // A pipe whose reader went away (an attempt supervisor that exited) is an error to handle
        // where it is written, not a signal that ends orbrec. What orbrec starts gets the default back.
        signal(SIGPIPE, SIG_IGN)
        let arguments = CommandLineRewrite.hoistingGlobalOptions(Array(CommandLine.arguments.dropFirst()), root: Self.self)
        if let unknown = CommandLineRewrite.unknownSubcommand(arguments, root: Self.self) {
            FileHandle.standardError.write(Data(("error: " + Terminal.displayable(unknown) + "\n").utf8))
            Foundation.exit(ExitStatus.error.rawValue)
        }
        do {
            var command = try await asyncParseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((Terminal.displayable(fullMessage(for: error)) + "\n").utf8))
                Foundation.exit(ExitStatus.error.rawValue)
            }
            exit(withError: error)
        }
    }
}
