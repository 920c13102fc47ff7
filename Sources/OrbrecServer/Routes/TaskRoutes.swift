internal import Foundation
internal import Hummingbird
internal import HTTPTypes
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecAPI

/// Tasks of api pools (`source: api`): post one (journaled before 201), cancel one, list and
/// read them. Writes are a leader's; the loop then starts (or cancels) the task at once.
///
/// Scopes: the writes (POST, DELETE) are `operate`; the reads (GET) are `read`.
struct TaskRoutes: Sendable {
    let store: StateStore
    let loop: ReconcileLoop
    let limits: HTTPLimits

    func register(on api: RouterGroup<ServerContext>) {
        api.post("/pools/:pool/tasks") { request, context in try await create(request, context) }
        api.get("/pools/:pool/tasks") { request, context in
            let query = request.uri.queryParameters
            let page = try Self.read { () throws(TaskInput.Refusal) in
                try TaskInput.page(state: query.get("state"), limit: query.get("limit"), after: query.get("after"))
            }
            // One more than asked: whether there is a next page.
            let entries = try await Self.engine {
                try await loop.apiTasks(pool: try Self.parameter("pool", context), state: page.state, after: page.after, limit: page.limit + 1)
            }
            return try JSONBody.response(APITaskPageDocument(entries, limit: page.limit))
        }
        api.get("/pools/:pool/tasks/:key") { _, context in
            let pool = try Self.parameter("pool", context), key = try Self.parameter("key", context)
            let entry = try await Self.engine { try await loop.apiTask(pool: pool, key: key) }
            return try JSONBody.response(try await document(entry))
        }
        api.delete("/pools/:pool/tasks/:key") { _, context in
            try leads()
            let pool = try Self.parameter("pool", context), key = try Self.parameter("key", context)
            let answer = try await Self.engine {
                try await loop.cancelTask(pool: pool, key: key, actor: MachineRequestRoutes.actor(context))
            }
            // 202: the cancel is journaled and under way; 200: the task had finished, nothing to do.
            return try JSONBody.response(try await document(answer.entry), status: answer.cancelling ? .accepted : .ok)
        }
    }

    func create(_ request: Request, _ context: ServerContext) async throws -> Response {
        try leads()
        let pool = try Self.parameter("pool", context)
        let body = try await request.boundedBody(limits)
        let asked = try Self.read { () throws(TaskInput.Refusal) in try TaskInput.task(body) }
        let idempotencyKey = try Self.idempotencyKey(request)
        let answer = try await Self.engine {
            try await loop.createTask(pool: pool, key: asked.key, args: asked.args, idempotencyKey: idempotencyKey,
                                      actor: MachineRequestRoutes.actor(context))
        }
        // 201 for the call that made it (and its retries with the same Idempotency-Key); 200 for
        // the same task posted again.
        let next = APITaskNextActions.derive(pool: pool, pathKey: LeaseAnswer.pathSegment(answer.entry.task.key), state: answer.entry.state,
                                             pull: loop.pool(named: pool)?.mode == .pull)
        return try JSONBody.response(NextActionsAnswer(try await document(answer.entry), nextActions: next.map(LeaseAnswer.Action.init)),
                                     status: answer.created || answer.replayed ? .created : .ok)
    }

    func document(_ entry: APITaskEntry) async throws -> APITaskDocument {
        APITaskDocument(entry, attempts: try await store.attempts(pool: entry.task.pool, key: entry.task.key))
    }

    /// Writes are a leader's: a follower's journal entry would wait for the leader's next look.
    func leads() throws {
        if let role = loop.status.current.role, !role.leads { throw APIError.notLeader(role.leader) }
    }

    static func parameter(_ name: String, _ context: ServerContext) throws -> String {
        let raw = try context.parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty else { return nil }
        guard key.count <= 200 else { throw APIError(.badRequest, .badIdempotencyKey, "Idempotency-Key is at most 200 characters") }
        return key
    }

    static func read<T>(_ read: () throws(TaskInput.Refusal) -> T) throws(APIError) -> T {
        do {
            return try read()
        } catch {
            throw APIError(.badRequest, error.code, error.message)
        }
    }

    /// Runs an engine call, its refusal becoming the API's answer with the same code.
    static func engine<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let refused as TaskRequestRefused {
            throw refused.apiError
        }
    }
}

extension TaskRequestRefused {
    /// 400 for what the caller must change in the call, 404 for what does not exist, 409 for
    /// what the pool or the journal does not allow, 503 when no configuration is in force.
    var apiError: APIError {
        let status: HTTPResponse.Status = switch code {
        case .invalidKey, .invalidArgs: .badRequest
        case .unknownPool, .unknownTask: .notFound
        case .notReady: .serviceUnavailable
        // not-an-api-pool, task-exists, idempotency_key_reused.
        default: .conflict
        }
        return APIError(status, code, message)
    }
}
