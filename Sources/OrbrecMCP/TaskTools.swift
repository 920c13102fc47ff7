internal import MCP
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecAPI

/// `create_task` and `cancel_task`: tasks of api pools (`source: api`), with the same engine
/// calls, document and error codes as `POST` and `DELETE /api/v1/pools/{pool}/tasks[/{key}]`
/// (`unknown-pool`, `not-an-api-pool`, `invalid-key`, `invalid-args`, `task-exists`,
/// `idempotency_key_reused`, `unknown-task`).
struct TaskTools: Sendable {
    let backend: any MCPBackend

    /// `create_task`: journaled, then started by the daemon's loop at once (over `orbrec mcp`, by
    /// the daemon's next look or the next apply).
    func create(pool: String, key: String, args: [String: String], idempotencyKey: String?) async throws -> APITaskDocument {
        try backend.checkMayJournal()
        let desired = try backend.desired()
        let store = try await backend.openStore()
        let answer = try await Self.refused {
            try await backend.reconciler(for: store).createTask(pool: pool, key: key, args: args, idempotencyKey: idempotencyKey,
                                                                actor: backend.actor, configured: desired)
        }
        backend.log("task created over MCP", [("pool", pool), ("key", key), ("created", "\(answer.created)")])
        if answer.created { await backend.tasksJournaled(pool: pool) }
        return APITaskDocument(answer.entry, attempts: try await store.attempts(pool: pool, key: key))
    }

    /// `cancel_task`: a cancel journaled, then carried out by the next pass.
    func cancel(pool: String, key: String) async throws -> APITaskDocument {
        try backend.checkMayJournal()
        let desired = try backend.desired()
        guard let store = try await backend.openExistingStore() else {
            throw ToolFailure(.unknownTask, "TaskPool/\(pool) has no task '\(TextEscaping.quoted(key, limit: 80))' (there is no state yet)")
        }
        let answer = try await Self.refused {
            try await backend.reconciler(for: store).cancelTask(pool: pool, key: key, actor: backend.actor, configured: desired)
        }
        backend.log("task cancel over MCP", [("pool", pool), ("key", key), ("cancelling", "\(answer.cancelling)")])
        if answer.cancelling { await backend.tasksJournaled(pool: pool) }
        return APITaskDocument(answer.entry, attempts: try await store.attempts(pool: pool, key: key))
    }

    /// Runs an engine call, its refusal becoming the tool's failure with the same code.
    static func refused<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let refused as TaskRequestRefused {
            throw ToolFailure(refused.code, refused.message)
        }
    }
}

extension ToolArguments {
    /// A task key as the API reads it: any string (the engine's rules judge it, as `invalid-key`).
    func taskKey() throws(ToolFailure) -> String {
        guard case .string(let key)? = values["key"] else { throw ToolFailure(.invalidKey, "key is required: a string that names the task") }
        return key
    }

    /// `args` as the API reads it: an object of strings, or nothing.
    func taskArgs() throws(ToolFailure) -> [String: String] {
        guard let value = values["args"] else { return [:] }
        guard case .object(let object) = value else { throw ToolFailure(.invalidArgs, "args must be an object of strings") }
        var args: [String: String] = [:]
        for (name, item) in object {
            guard case .string(let text) = item else {
                throw ToolFailure(.invalidArgs, "args.\(String(name.prefix(64))) must be a string; args is a flat object of strings")
            }
            args[name] = text
        }
        return args
    }
}
