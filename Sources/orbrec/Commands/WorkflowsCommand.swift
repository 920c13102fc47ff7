internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecAPI
internal import OrbrecSpec
internal import OrbrecStore
internal import Foundation

struct WorkflowsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflows", abstract: "The configuration's workflows.",
        subcommands: [ListCommand.self, RunsCommand.self, ShowCommand.self, StartCommand.self, CancelCommand.self])

    struct ListCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Each workflow: its steps, trigger, concurrency and when its schedule next comes due (UTC).")

        @OptionGroup var global: GlobalOptions

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Session.run(global) { session in
                let desired = try session.loadConfiguration().desired
                let summaries = if let store = try await session.openExistingStore() {
                    try await refused { try await session.reconciler(store).workflowSummaries(desired) }
                } else {
                    Reconciler.workflowSummaries(withoutState: desired, now: SystemClock().now())
                }
                let rows = summaries.map { WorkflowSummaryDocument($0) }
                if output.format.isDocument {
                    try session.terminal.document(rows, as: output.format)
                    return .success
                }
                var table = Table("NAME", "STEPS", "TRIGGER", "CONCURRENCY", "NEXT SCHEDULED (UTC)")
                for row in rows {
                    let trigger = [row.onChange ? "on change" : nil, row.schedule.map { "schedule \($0)" }].compactMap { $0 }
                    table.add(row.name, "\(row.steps.count)", trigger.isEmpty ? "manual" : trigger.joined(separator: ", "), row.concurrency,
                              row.nextScheduledAt.map { Format.time(Instant(millisecondsSinceEpoch: $0)) } ?? "-")
                }
                session.terminal.out(rows.isEmpty ? "No workflows." : table.rendered)
                return .success
            }
        }
    }
}

extension WorkflowsCommand {
    struct RunsCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "runs", abstract: "A workflow's runs, newest first.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The workflow.", completion: ResourceCompletion.kind(.workflow)) var name: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Session.run(global) { session in
                // The configuration only tells a workflow with no runs yet from a name that is none.
                let desired = (try? session.loadConfiguration().desired) ?? DesiredState()
                guard let store = try await session.openJournal() else {
                    guard desired.workflows[name] != nil else { throw refusal(Reconciler.unknownWorkflow(name, configured: desired)) }
                    session.terminal.out(output.format.isDocument ? "[]" : "No runs of \(name).")
                    return .success
                }
                let runs = try await refused { try await session.reconciler(store).workflowRuns(workflow: name, configured: desired) }
                if output.format.isDocument {
                    try session.terminal.document(runs.map(WorkflowRunDocument.init), as: output.format)
                    return .success
                }
                var table = Table("RUN", "STATE", "TRIGGER", "STARTED", "ENDED", "STEPS")
                for run in runs {
                    let steps = run.steps.map { "\($0.name):\($0.state.rawValue)" }.joined(separator: " ")
                    table.add(run.id, run.state.rawValue, run.trigger.rawValue, Format.time(run.createdAt), run.endedAt.map(Format.time) ?? "-", steps)
                }
                session.terminal.out(runs.isEmpty ? "No runs of \(name)." : table.rendered)
                return .success
            }
        }
    }

    struct ShowCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One run: its steps with their times and messages.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The run id (wr-…).", completion: ResourceCompletion.kind(.workflowRun)) var id: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Session.run(global) { session in
                guard let store = try await session.openJournal() else { throw CommandFailure(.error, "no run \(id)") }
                let report = try await refused { try await session.reconciler(store).workflowRun(id: id) }
                if output.format.isDocument {
                    try session.terminal.document(WorkflowRunDocument(report), as: output.format)
                    return .success
                }
                let (run, reason) = (report.run, report.reason)
                // What each step caused: the requests a provision step made, or its pool's tasks.
                var work: [String: String] = [:]
                for step in report.steps {
                    if !step.requests.isEmpty {
                        work[step.step.name] = step.requests.map { "\($0.id) \($0.status.rawValue)" }.joined(separator: ", ")
                    } else if let pool = step.pool {
                        work[step.step.name] = "TaskPool/\(pool): \(step.tasks[.completed] ?? 0)/\(step.tasks.values.reduce(0, +)) completed"
                    }
                }
                session.terminal.out("Run \(run.id) of Workflow/\(run.workflow): \(run.state.rawValue)")
                session.terminal.out("  trigger: \(run.trigger.rawValue) (\(reason))")
                session.terminal.out("  started: \(Format.time(run.createdAt))\(run.endedAt.map { ", ended: \(Format.time($0))" } ?? "")")
                var table = Table("STEP", "STATE", "STARTED", "ENDED", "WORK", "MESSAGE")
                for step in run.steps {
                    table.add(step.name, step.state.rawValue, step.startedAt.map(Format.time) ?? "-", step.endedAt.map(Format.time) ?? "-",
                              work[step.name] ?? "-", step.message)
                }
                session.terminal.out(table.rendered)
                return .success
            }
        }
    }

    struct StartCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start", abstract: "Start a run of a workflow now (carried out by the next apply, or by the daemon).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The workflow.", completion: ResourceCompletion.kind(.workflow)) var name: String
        @Option(help: "How long to wait for the state lock.") var lockTimeout: ConfigDuration = ConfigDuration(milliseconds: 0)

        func run() async throws {
            try await Session.run(global) { session in
                let desired = try session.loadConfiguration().desired
                guard let spec = desired.workflows[name] else { throw CommandFailure(.error, "no workflow '\(name)' in the configuration") }
                let store = try await session.openStore()
                let lock = try await session.lock(store, operation: "workflows start", timeout: lockTimeout)
                return try await withCleanup {
                    let run: WorkflowRun
                    do {
                        run = try await session.reconciler(store).startWorkflowRun(workflow: spec.name, configured: desired, actor: Session.actor).run
                    } catch let refused as WorkflowRunRefused where refused.code == .runInProgress && !refused.running.isEmpty {
                        throw CommandFailure(.error, "\(refused.message); cancel it with 'orbrec workflows cancel \(refused.running[0])'")
                    } catch let refused as WorkflowRunRefused {
                        throw CommandFailure(.error, refused.message)
                    }
                    session.terminal.out("Started \(run.id) of Workflow/\(name). 'orbrec apply' (or the daemon) carries it out; "
                        + "'orbrec workflows show \(run.id)' follows it.")
                    return .success
                } cleanup: {
                    try? await store.unlock(id: lock.id)
                }
            }
        }
    }

    struct CancelCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "Cancel a running run: its steps stop, its tasks are cancelled by the next apply.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The run id (wr-…).", completion: ResourceCompletion.kind(.workflowRun)) var id: String
        @Option(help: "How long to wait for the state lock.") var lockTimeout: ConfigDuration = ConfigDuration(milliseconds: 0)

        func run() async throws {
            try await Session.run(global) { session in
                guard let store = try await session.openExistingStore() else { throw CommandFailure(.error, "no run \(id)") }
                let lock = try await session.lock(store, operation: "workflows cancel", timeout: lockTimeout)
                return try await withCleanup {
                    do {
                        _ = try await session.reconciler(store).cancelWorkflowRun(id: id, actor: Session.actor)
                    } catch is WorkflowRunRefused {
                        throw CommandFailure(.error, "no running run \(id)")
                    }
                    session.terminal.out("Cancelled \(id). Its running tasks are cancelled by the next 'orbrec apply' (or the daemon).")
                    return .success
                } cleanup: {
                    try? await store.unlock(id: lock.id)
                }
            }
        }
    }
}

extension WorkflowsCommand {
    /// Runs an engine call, its refusal becoming the command's error.
    static func refused<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let refused as WorkflowRunRefused {
            throw refusal(refused)
        }
    }

    static func refusal(_ refused: WorkflowRunRefused) -> CommandFailure { CommandFailure(.error, refused.message) }
}
