internal import ArgumentParser

@main
struct Orbrec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orbrec",
        abstract: "Reconcile declared machines and work with what providers and schedulers report.",
        discussion: "Exit codes: 0 success, 1 error, 2 plan found changes (--detailed-exitcode), 3 policy denied, 4 stale plan, 5 state locked.",
        version: "0.1.0",
        subcommands: [
            InitCommand.self, ValidateCommand.self, PlanCommand.self, ApplyCommand.self, StatusCommand.self,
            GetCommand.self, RequestsCommand.self, HistoryCommand.self, MachinesCommand.self, LockCommand.self,
        ])
}
