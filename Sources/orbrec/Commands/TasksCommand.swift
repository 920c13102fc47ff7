internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecAttempts
internal import OrbrecSpec
internal import OrbrecStore

struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks", abstract: "Task operations: logs, requeue, cancel.", subcommands: [Logs.self, Requeue.self, Cancel.self])

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an attempt's output (the last attempt unless --attempt); -f follows it.")

        @OptionGroup var global: GlobalOptions
        @Argument(completion: ResourceCompletion.kind(.pool)) var pool: String
        @Argument(completion: ResourceCompletion.kind(.taskKey)) var key: String
        @Option(help: "The attempt number.") var attempt: Int?
        @Flag(help: "Print standard error instead of standard output.") var stderr = false
        @Flag(name: [.customShort("f"), .long], help: "Follow the output as it is written, on to the next attempts, until the task is finished (or Ctrl-C).")
        var follow = false

        func run() async throws {
            try await Session.run(global) { session in
                guard let store = try await session.openJournal(),
                      let task = try await store.tasks(pool: pool).first(where: { $0.key == key }) else {
                    throw CommandFailure(.error, "no task \(pool)/\(key) in the state")
                }
                if follow {
                    let follower = TaskLogFollower(store: store, files: AttemptFiles(root: session.taskDirectory, pool: pool, key: key),
                                                   pool: pool, key: key, standardError: stderr, terminal: session.terminal)
                    return try await StopOnSignal.run { try await follower.run(from: attempt) }
                }
                let number = attempt ?? task.attemptsStarted
                guard number >= 1, number <= task.attemptsStarted else {
                    throw CommandFailure(.error, "task \(pool)/\(key) has attempts 1…\(task.attemptsStarted), not \(number)")
                }
                // Where the orbrec that started the attempt kept its files: with a shared state, maybe
                // another host (a cluster's shared file system may show them here too).
                let recorded = try await store.attempts(pool: pool, key: key).first { $0.attempt == number }?.outputLocation
                    .flatMap(OutputLocation.init(parsing:))
                let files = AttemptFiles(root: recorded?.directory ?? session.taskDirectory, pool: pool, key: key)
                let path = stderr ? files.stderr(number) : files.stdout(number)
                var found = FileManager.default.contents(atPath: path)
                if found == nil {
                    found = try await Self.clusterOutput(session, store: store, pool: pool, key: key, attempt: number, standardError: stderr)
                }
                guard let data = found else {
                    if let recorded, recorded.host != Session.hostName {
                        throw CommandFailure(.error, "attempt \(number) of \(pool)/\(key) was started from \(recorded.host): its output "
                            + "stays there, at \(path) (run 'orbrec tasks logs' on \(recorded.host), or copy the file)")
                    }
                    throw CommandFailure(.error, "attempt \(number) of \(pool)/\(key) has no output at \(path)")
                }
                FileHandle.standardOutput.write(data)
                return .success
            }
        }
    }

    struct Requeue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move dead-lettered (or cancelled) tasks back to pending.")

        @OptionGroup var global: GlobalOptions
        @Argument(completion: ResourceCompletion.kind(.pool)) var pool: String
        @Argument(help: "Task keys.", completion: ResourceCompletion.kind(.taskKey)) var keys: [String] = []
        @Flag(help: "Every dead-lettered task of the pool.") var allDeadLetter = false
        @Option(help: "How long to wait for the state lock.") var lockTimeout: ConfigDuration = ConfigDuration(milliseconds: 0)

        func validate() throws {
            guard !keys.isEmpty || allDeadLetter else { throw ValidationError("name task keys or pass --all-dead-letter") }
        }

        func run() async throws {
            try await Session.run(global) { session in
                guard let store = try await session.openExistingStore() else { throw CommandFailure(.error, session.noStateMessage) }
                let lock = try await session.lock(store, operation: "tasks requeue", timeout: lockTimeout)
                // The configuration only tells a declared pool with no task yet from a name that is none.
                let declared = (try? session.loadConfiguration().desired.pools[pool]) != nil
                return try await withCleanup {
                    let requeued: [String]
                    do {
                        requeued = try await session.reconciler(store).requeueTasks(pool: pool, keys: keys, allDeadLetter: allDeadLetter,
                                                                                    declared: declared, actor: Session.actor)
                    } catch let refused as TaskRequestRefused {
                        throw CommandFailure(.error, refused.message)
                    }
                    session.terminal.out("Requeued \(requeued.count) task(s) of \(pool); the next apply runs them.")
                    return .success
                } cleanup: {
                    try? await store.unlock(id: lock.id)
                }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel tasks (all of the pool's unfinished tasks without keys).")

        @OptionGroup var global: GlobalOptions
        @Argument(completion: ResourceCompletion.kind(.pool)) var pool: String
        @Argument(help: "Task keys.", completion: ResourceCompletion.kind(.taskKey)) var keys: [String] = []
        @Option(help: "How long to wait for the state lock.") var lockTimeout: ConfigDuration = ConfigDuration(milliseconds: 0)
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Session.run(global) { session in
                let desired = try session.loadConfiguration().desired
                guard let store = try await session.openExistingStore() else { throw CommandFailure(.error, session.noStateMessage) }
                let lock = try await session.lock(store, operation: "tasks cancel", timeout: lockTimeout)
                return try await withCleanup {
                    let outcomes: [ActionOutcome]
                    do {
                        outcomes = try await session.reconciler(store).cancelTasks(pool: pool, keys: keys, actor: Session.actor, configured: desired)
                    } catch let refused as TaskRequestRefused {
                        throw CommandFailure(.error, refused.message)
                    }
                    guard !outcomes.isEmpty else {
                        if output.format.isDocument {
                            session.terminal.err("Nothing to cancel in \(pool).")
                            try session.terminal.document(OutcomesDocument([]), as: output.format)
                        } else {
                            session.terminal.out("Nothing to cancel in \(pool).")
                        }
                        return .success
                    }
                    if output.format.isDocument {
                        try session.terminal.document(OutcomesDocument(outcomes), as: output.format)
                        return outcomes.allSatisfy(\.succeeded) ? .success : .error
                    }
                    for outcome in outcomes { session.terminal.out("\(outcome.succeeded ? "✓" : "✗") cancel \(pool): \(outcome.message)") }
                    return outcomes.allSatisfy(\.succeeded) ? .success : .error
                } cleanup: {
                    try? await store.unlock(id: lock.id)
                }
            }
        }
    }
}
