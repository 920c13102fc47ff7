internal import Foundation
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecMCP
internal import OrbrecSpec
internal import OrbrecStore

/// What `orbrec mcp`'s tools need, from the command's session: the same configuration,
/// state, wiring and lock as every other command.
struct SessionMCPBackend: MCPBackend {
    let session: Session
    /// The daemon's loop when `orbrec run` serves MCP: it acts on the requests the tools journal.
    /// Nil for `orbrec mcp`, which acts on them itself.
    var loop: ReconcileLoop? = nil

    var actor: String { Session.actor }

    /// Heard by a daemon's engine (`orbrec run` serving /mcp); over stdio no engine listens.
    func attemptEnded(_ attempt: ObservedAttempt) { Session.attemptEnds.post([attempt]) }

    func loadConfiguration() throws(ConfigurationError) -> LoadedConfiguration {
        try ConfigLoader().load(session.global.config, policyDirectories: session.global.policyDirectories,
                                excluding: session.writtenDirectories)
    }

    /// The state, opened once and kept: a tool call is frequent, and opening a PostgreSQL
    /// state makes a pool of connections.
    let opened = OpenedStore()

    func openExistingStore() async throws -> StateStore? {
        try await opened.store { try await session.openExistingStore() }
    }

    func openStore() async throws -> StateStore {
        guard let store = try await opened.store({ try await session.openStore() }) else {
            throw ToolFailure(.noState, "cannot open the state at \(session.global.stateShown)")
        }
        return store
    }

    func checkMayJournal() throws {
        guard let role = loop?.status.current.role, !role.leads else { return }
        let leader = role.leader?.api.map { " at \($0)" } ?? ""
        throw ToolFailure(.notLeader, "this daemon follows; the leader\(leader) reconciles the state: ask it")
    }

    func moveOn(requests ids: [String], configured: DesiredState, store: StateStore, journaled: Bool) async {
        let driver = MachineRequestDriver(session: session, store: store, desired: configured)
        do {
            let fleets = try await driver.fleets(of: ids)
            if let loop {
                if journaled { await loop.requestsJournaled(fleets: fleets) }
                return
            }
            try await driver.act(on: fleets, operation: "mcp")
        } catch {
            // Journaled all the same: the next apply, status call or daemon pass carries them out.
            log("cannot move requests on now", [("requests", ids.joined(separator: ",")), ("error", "\(error)")])
        }
    }

    func workflowRunsChanged(workflow: String, cancelled: [String]) async {
        await loop?.workflowRunsChanged(workflow: workflow, cancelled: cancelled)
    }

    func tasksJournaled(pool: String) async {
        await loop?.tasksJournaled(pool: pool)
    }

    func reconciler(for store: StateStore) -> Reconciler {
        session.reconciler(store)
    }

    func lock(_ store: StateStore, operation: String) async throws -> LockRecord {
        do {
            return try await session.lock(store, operation: operation + " (mcp)", timeout: ConfigDuration(milliseconds: 0))
        } catch let failure as CommandFailure where failure.status == .lockTimeout {
            throw ToolFailure(.stateLocked, failure.message)
        }
    }

    func log(_ message: String, _ fields: [(String, String)]) {
        session.logger.debug(message, fields)
    }
}
