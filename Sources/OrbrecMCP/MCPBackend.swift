public import OrbrecCore
public import OrbrecEngine
public import OrbrecSpec
public import OrbrecStore

/// What the MCP server needs from the program that serves it: the configuration, the state,
/// an engine wired with this machine's providers and schedulers, the state lock, and the
/// `plan --json` document. `orbrec mcp` implements it over its session; nothing here knows
/// the command line.
public protocol MCPBackend: Sendable {
    /// Who acts (`user@host`), written into what the tools journal.
    var actor: String { get }

    /// The configuration as it is on disk now, with every problem at once when it is invalid.
    func loadConfiguration() throws(ConfigurationError) -> LoadedConfiguration

    /// The state, when one exists. Never creates one: reading tools must leave no trace.
    func openExistingStore() async throws -> StateStore?

    /// A reconciler over `store`, wired as every command wires it.
    func reconciler(for store: StateStore) -> Reconciler

    /// Takes the state lock for `operation` without waiting, as the CLI's commands do. Throws
    /// a `ToolFailure` (`state-locked`, naming the holder) when another process holds it.
    func lock(_ store: StateStore, operation: String) async throws -> LockRecord

    /// A line for the log (stderr); stdout carries the protocol only.
    func log(_ message: String, _ fields: [(String, String)])

    /// A worker ended an attempt: in a daemon, the engine settles it and fills its slot at once.
    func attemptEnded(_ attempt: ObservedAttempt)

    /// The state, made when there is none yet: for the tools that journal a machine request.
    func openStore() async throws -> StateStore

    /// Throws a `ToolFailure` (`not-leader`) where requests must not be journaled: on a daemon
    /// that follows another.
    func checkMayJournal() throws

    /// Machine requests or return requests (`ids`) were just journaled, or their status is asked:
    /// a daemon has its loop act on newly journaled ones at once; `orbrec mcp` moves them on
    /// itself, one pass over their fleets, when no other process holds the state.
    func moveOn(requests ids: [String], configured: DesiredState, store: StateStore, journaled: Bool) async

    /// A run of `workflow` was started, or runs cancelled (`cancelled`, those `concurrency:
    /// replace` cancelled among them): a daemon has its loop move them at once; `orbrec mcp`
    /// leaves them to the next apply or daemon pass, as `orbrec workflows start|cancel` do.
    func workflowRunsChanged(workflow: String, cancelled: [String]) async

    /// A task of api pool `pool` was created or asked to be cancelled: a daemon has its loop look
    /// at the pool at once; `orbrec mcp` leaves it to the daemon's next look or the next apply.
    func tasksJournaled(pool: String) async
}

extension MCPBackend {
    public func attemptEnded(_ attempt: ObservedAttempt) {}

    public func openStore() async throws -> StateStore {
        try await existingStore(for: "no machine request can be journaled")
    }

    public func checkMayJournal() throws {}

    public func moveOn(requests ids: [String], configured: DesiredState, store: StateStore, journaled: Bool) async {}

    public func workflowRunsChanged(workflow: String, cancelled: [String]) async {}

    public func tasksJournaled(pool: String) async {}
}
