internal import Foundation
internal import Hummingbird
internal import HTTPTypes
internal import NIOCore
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecAPI

/// The API routes the web console needed beyond those the CLI's and agents' clients use: an
/// attempt's output (`orbrec tasks logs`), requeueing dead letters (`orbrec tasks requeue`),
/// the plan the daemon would act on next (`orbrec plan`, as the last pass left it), and who
/// the caller is (which scopes its token has: the console hides what it may not do).
struct ConsoleAPIRoutes: Sendable {
    let store: StateStore
    let loop: ReconcileLoop
    let access: AccessControl
    let loopbackOnly: Bool
    let limits: HTTPLimits
    /// Where this daemon's local scheduler keeps attempts' output; nil when not known.
    let taskDirectory: String?

    func register(on api: RouterGroup<ServerContext>) {
        api.get("/pools/:pool/tasks/:key/logs") { request, context in try await logs(request, context) }
        api.post("/pools/:pool/requeue") { request, context in try await requeue(request, context) }
        api.get("/plan") { _, _ in try plan() }
        api.get("/whoami") { request, _ in try whoami(request) }
    }

    /// On loopback, reads pass without a token and AuthMiddleware looks at none: a token
    /// presented here is checked all the same, so a wrong one is refused, not ignored.
    func whoami(_ request: Request) throws -> Response {
        let presented = request.headers[.authorization] != nil
        let caller = access.keyring.identify(request.headers)
        if presented && caller == nil {
            access.refusals.count(.unauthorized)
            throw APIError.unauthorized
        }
        let scopes = caller.map { $0.scopes.map(\.rawValue).sorted() } ?? (loopbackOnly ? [AccessScope.read.rawValue] : [])
        return try JSONBody.response(WhoAmIAnswer(token: caller?.name, scopes: scopes, loopback: loopbackOnly,
                                                  tokens: !access.keyring.isEmpty))
    }

    func logs(_ request: Request, _ context: ServerContext) async throws -> Response {
        let pool = try TaskRoutes.parameter("pool", context), key = try TaskRoutes.parameter("key", context)
        let query = request.uri.queryParameters
        guard let stream = TaskOutput.Stream(rawValue: query.get("stream") ?? "stdout") else {
            throw APIError(.badRequest, .badRequest, "stream must be stdout or stderr")
        }
        guard let task = try await store.task(pool: pool, key: key) else {
            throw APIError(.notFound, .unknownTask, "no task \(pool.prefix(64))/\(key.prefix(64)) in the state")
        }
        let number: Int
        if let text = query.get("attempt") {
            guard let value = Int(text), value >= 1 else { throw APIError(.badRequest, .badRequest, "attempt must be a positive integer") }
            number = value
        } else {
            number = task.attemptsStarted
        }
        guard number >= 1, number <= task.attemptsStarted else {
            throw APIError(.notFound, .notFound, task.attemptsStarted == 0 ? "task \(pool)/\(key) has not started an attempt"
                               : "task \(pool)/\(key) has attempts 1…\(task.attemptsStarted), not \(number)")
        }
        let recorded = try await store.attempts(pool: pool, key: key).first { $0.attempt == number }?.outputLocation
        let text = try TaskOutput(taskDirectory: taskDirectory).read(pool: pool, key: key, attempt: number, stream: stream,
                                                                   recordedLocation: recorded)
        // nosniff: a task's output is text, never a script or page another site could include
        // from a loopback daemon (whose reads need no token) and have the browser run.
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-cache"]
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func requeue(_ request: Request, _ context: ServerContext) async throws -> Response {
        if let role = loop.status.current.role, !role.leads { throw APIError.notLeader(role.leader) }
        let pool = try TaskRoutes.parameter("pool", context)
        let input = try RequeueInput.parse(try await request.boundedBody(limits))
        let keys = try await TaskRoutes.engine {
            try await loop.requeueTasks(pool: pool, keys: input.keys, allDeadLetter: input.allDeadLetter,
                                        actor: MachineRequestRoutes.actor(context))
        }
        return try JSONBody.response(RequeueDocument(pool: pool, requeued: keys))
    }

    func plan() throws -> Response {
        let status = loop.status.current
        if status.follows {
            throw APIError(.serviceUnavailable, .notReady, "this daemon follows; the leader plans (ask its /api/v1/plan)")
        }
        guard let result = status.plan else {
            throw APIError(.serviceUnavailable, .notReady, "no reconcile pass has finished yet")
        }
        // The plan document of `plan --json` and `plan_preview`, with what only the daemon
        // knows: when its plan was made, and what holds it back. The daemon has no
        // `--policy-override`: `policy.blocked` judges the plan as a plain `apply` would.
        var document = PlanDocument(result, stateID: store.stateID)
        document.plannedAt = result.snapshot.now.millisecondsSinceEpoch
        document.policyDenials = status.policyDenials
        return try JSONBody.response(document)
    }
}

struct WhoAmIAnswer: Encodable {
    /// The name of the token presented, when one was.
    var token: String?
    /// What the caller may do now: its token's scopes, or `read` on loopback without one.
    var scopes: [String]
    /// The daemon listens on loopback only (reads need no token there).
    var loopback: Bool
    /// The daemon has tokens: writes are possible with one.
    var tokens: Bool
}

