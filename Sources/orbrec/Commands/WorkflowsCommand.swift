internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecEngine
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
                let now = SystemClock().now()
                let rows = desired.workflows.values.sorted { $0.name < $1.name }.map { WorkflowDocument($0, now: now) }
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
                let runs = try await session.openJournal()?.workflowRuns(workflow: name) ?? []
                if output.format.isDocument {
                    try session.terminal.document(runs.map(RunDocument.init), as: output.format)
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
                guard let store = try await session.openJournal(), let (run, reason) = try await store.workflowRun(id: id) else {
                    throw CommandFailure(.error, "no run \(id)")
                }
                // What each step caused: its pool's tasks (named for the run and step).
                var work: [String: String] = [:]
                var stepRequests: [String: [String]] = [:]
                let caused = try await store.workflowStepRequests(runID: run.id)
                for step in run.steps {
                    // A provision step's requests, as journaled with the actions it caused.
                    if let made = caused[step.name], !made.isEmpty {
                        work[step.name] = made.map { "\($0.id) \($0.status.rawValue)" }.joined(separator: ", ")
                        stepRequests[step.name] = made.map(\.id)
                        continue
                    }
                    let tasks = try await store.tasks(pool: run.poolName(of: step.name))
                    guard !tasks.isEmpty else { continue }
                    let completed = tasks.filter { $0.state == .completed }.count
                    work[step.name] = "TaskPool/\(run.poolName(of: step.name)): \(completed)/\(tasks.count) completed"
                }
                if output.format.isDocument {
                    var document = RunDocument(run)
                    document.reason = reason
                    for index in document.steps.indices {
                        let name = document.steps[index].name
                        if let requests = stepRequests[name] {
                            document.steps[index].requests = requests
                        } else if work[name] != nil {
                            document.steps[index].pool = run.poolName(of: name)
                        }
                    }
                    try session.terminal.document(document, as: output.format)
                    return .success
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

/// `workflows runs|show -o json`: one run.
struct RunDocument: Encodable {
    struct Step: Encodable {
        var name: String
        var state: String
        var startedAt: Int64?
        var endedAt: Int64?
        var message: String
        /// The pool that carried the step's tasks (`show` only).
        var pool: String?
        /// The requests a provision step caused (`show` only).
        var requests: [String]?

        enum CodingKeys: String, CodingKey {
            case name, state, message, pool, requests
            case startedAt = "started_at"
            case endedAt = "ended_at"
        }
    }

    var id: String
    var workflow: String
    var state: String
    var trigger: String
    var scheduledFor: Int64?
    var specHash: String
    var createdAt: Int64
    var endedAt: Int64?
    var reason: String?
    var steps: [Step]

    enum CodingKeys: String, CodingKey {
        case id, workflow, state, trigger, reason, steps
        case scheduledFor = "scheduled_for"
        case specHash = "spec_hash"
        case createdAt = "created_at"
        case endedAt = "ended_at"
    }

    init(_ run: WorkflowRun) {
        id = run.id
        workflow = run.workflow
        state = run.state.rawValue
        trigger = run.trigger.rawValue
        scheduledFor = run.scheduledFor?.millisecondsSinceEpoch
        specHash = run.specHash
        createdAt = run.createdAt.millisecondsSinceEpoch
        endedAt = run.endedAt?.millisecondsSinceEpoch
        steps = run.steps.map {
            Step(name: $0.name, state: $0.state.rawValue, startedAt: $0.startedAt?.millisecondsSinceEpoch,
                 endedAt: $0.endedAt?.millisecondsSinceEpoch, message: $0.message)
        }
    }
}

/// `workflows list -o json`: one workflow.
struct WorkflowDocument: Encodable {
    var name: String
    var steps: [String]
    var onChange: Bool
    var schedule: String?
    var concurrency: String
    var nextScheduledAt: Int64?

    enum CodingKeys: String, CodingKey {
        case name, steps, schedule, concurrency
        case onChange = "on_change"
        case nextScheduledAt = "next_scheduled_at"
    }

    init(_ workflow: WorkflowSpec, now: Instant) {
        name = workflow.name
        steps = WorkflowGraph(workflow.steps).order ?? workflow.steps.map(\.name)
        onChange = workflow.trigger.onChange
        schedule = workflow.trigger.schedule?.expression
        concurrency = workflow.concurrency.rawValue
        nextScheduledAt = workflow.trigger.schedule?.next(after: now)?.millisecondsSinceEpoch
    }
}
