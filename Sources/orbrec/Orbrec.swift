internal import ArgumentParser
internal import Foundation

@main
struct Orbrec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orbrec",
        abstract: "Reconcile declared machines and work with what providers and schedulers report.",
        discussion: "Exit codes: 0 success, 1 error, 2 plan found changes (--detailed-exitcode), 3 policy denied, 4 stale plan, 5 state locked.",
        version: "0.1.0",
        subcommands: [
            InitCommand.self, ValidateCommand.self, PlanCommand.self, ApplyCommand.self, StatusCommand.self,
            GetCommand.self, TasksCommand.self, RequestsCommand.self, HistoryCommand.self, MachinesCommand.self, LockCommand.self,
            RunCommand.self, MCPCommand.self, WorkflowsCommand.self, GraphCommand.self, PolicyCommand.self, RunAttemptCommand.self, SuperviseCommand.self,
        ])

    /// As ArgumentParser's own `main`, except that a usage error exits 1, not 64: every
    /// command keeps to the exit codes of DESIGN.md section 5.
    static func main() async {
        // A pipe whose reader went away (an attempt supervisor that exited) is an error to handle
        // where it is written, not a signal that ends orbrec. What orbrec starts gets the default back.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot(nil)
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
