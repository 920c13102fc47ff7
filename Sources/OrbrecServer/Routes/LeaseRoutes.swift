internal import Foundation
internal import Hummingbird
internal import HTTPTypes
internal import NIOCore
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecLeases
internal import OrbrecAPI
internal import OrbrecStore

/// The pull-mode API: workers claim a pool's tasks with leases and end them with the
/// attempt's fencing token. A token that no longer holds its attempt (expired, revoked,
/// ended, or another attempt's) is refused with 409 `stale_attempt`.
struct LeaseRoutes: Sendable {
    let store: StateStore
    let loop: ReconcileLoop
    let clock: any Clock
    let limits: HTTPLimits

    func register(on api: RouterGroup<ServerContext>) {
        api.post("/pools/:pool/claim") { request, context in
            try await idempotent(request, context) { body in
                let pool = try context.parameters.require("pool")
                return try await claim(pool: pool.removingPercentEncoding ?? pool, body: body)
            }
        }
        for verb in ["heartbeat", "complete", "fail", "release"] {
            api.post("/tasks/:id/\(verb)") { request, context in
                try await idempotent(request, context) { body in
                    try await act(verb, id: try context.parameters.require("id"), body: body)
                }
            }
        }
    }

    // MARK: Claim

    func claim(pool name: String, body: Body) async throws -> Response {
        let asked = try Self.checked { () throws(LeaseRequest.Refusal) in try body.request.claim() }
        guard let pool = loop.pool(named: name) else {
            throw APIError(.notFound, .unknownPool, "no task pool \(name) in the configuration in force")
        }
        guard pool.mode == .pull else {
            throw APIError(.conflict, .notAPullPool, "TaskPool/\(name) is mode: push: orbrec submits its tasks; only mode: pull pools are claimed")
        }
        let now = clock.now()
        let claimed: LeaseRecord?
        do {
            claimed = try await LeaseService(store: store).claim(pool: name, worker: asked.worker, machine: asked.machine, lease: asked.lease,
                                                           idempotencyKey: body.idempotencyKey, at: now)
        } catch let gone as MachineGone {
            throw APIError(.conflict, .machineGone, "machine \(gone.machine) is \(gone.state ?? "not one orbrec holds"): "
                           + "a lease on it would be revoked at once")
        }
        guard let record = claimed else {
            var headers: HTTPFields = [:]
            headers[.retryAfter] = "1"
            return Response(status: .noContent, headers: headers)
        }
        return try answer(record, pool: pool, state: "leased", holder: true, now: now)
    }

    // MARK: Heartbeat, complete, fail, release

    func act(_ verb: String, id: String, body: Body) async throws -> Response {
        let token = try Self.checked { () throws(LeaseRequest.Refusal) in try body.request.token() }
        let task = try Self.checked { () throws(LeaseRequest.Refusal) in try LeaseRequest.taskID(id) }
        let now = clock.now()
        guard let held = try await store.lease(token: token) else { throw stale("no lease holds this token", task: task) }
        guard held.task == task else { throw stale("the token is for task \(held.pool):\(held.key), not \(id)", task: task) }
        let pool = loop.pool(named: task.pool)
        do {
            let report = try Self.checked { () throws(LeaseRequest.Refusal) in try body.request.report(verb) }
            let effect = try await LeaseService(store: store).report(report, token: token, held: held, pool: pool, at: now)
            if !effect.holds {
                loop.attemptEnded(ObservedAttempt(scheduler: TaskPoolSpec.pullScheduler, task: task, attempt: effect.record.attempt,
                                                  jobID: effect.record.worker.map { "lease:\($0)" } ?? "offered",
                                                  outcome: effect.record.outcome ?? AttemptOutcome(lost: true)))
            }
            return try answer(effect.record, pool: pool, state: effect.state, holder: effect.holds, now: now, nextTryAt: effect.nextTryAt)
        } catch let refused as StaleLease {
            throw stale(refused.message, task: task)
        }
    }

    // MARK: Answers

    func answer(_ record: LeaseRecord, pool: TaskPoolSpec?, state: String, holder: Bool, now: Instant,
                nextTryAt: Instant? = nil) throws -> Response {
        let pathID = LeaseAnswer.pathID(pool: record.pool, key: record.key)
        let task = LeaseTaskView(record, pool: pool, state: state, holder: holder, nextTryAt: nextTryAt,
                                 definition: loop.taskDefinition(pool: record.pool, key: record.key))
        let situation = TaskNextActions.Situation(
            pool: record.pool, pathID: pathID, state: TaskState(rawValue: state) ?? .running, nextTryAt: nextTryAt,
            heldUntil: holder ? record.expiresAt : nil, leaseMilliseconds: record.leaseMilliseconds)
        let next = TaskNextActions.derive(situation, now: now).map(LeaseAnswer.Action.init)
        return try JSONBody.response(LeaseAnswer(task: task, nextActions: next))
    }


    func stale(_ message: String, task: TaskID) -> APIError {
        APIError(.conflict, .staleAttempt, "\(message); this worker no longer holds the attempt: claim a new task")
    }

    // MARK: Input

    /// Runs a reading of the request (LeaseRequest) and answers its refusal as the API does.
    static func checked<T>(_ read: () throws(LeaseRequest.Refusal) -> T) throws(APIError) -> T {
        do {
            return try read()
        } catch {
            throw APIError(error.tooLarge ? .contentTooLarge : .badRequest, error.code, error.message)
        }
    }

    // MARK: Idempotency

    /// Runs a POST once per `Idempotency-Key`: a replay (same key, same method, path and body)
    /// gets the first answer again; the same key with anything else is 409.
    func idempotent(_ request: Request, _ context: ServerContext,
                    _ handle: (Body) async throws -> Response) async throws -> Response {
        let bytes = try await request.boundedBody(limits)
        var input = Body(request: try Self.checked { () throws(LeaseRequest.Refusal) in try LeaseRequest(body: bytes) })
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty else { return try await handle(input) }
        input.idempotencyKey = key
        guard key.count <= 200 else { throw APIError(.badRequest, .badIdempotencyKey, "Idempotency-Key is at most 200 characters") }
        let fingerprint = LeaseRequest.fingerprint(method: request.method.rawValue, path: request.uri.path, body: bytes)
        switch try await store.reserveIdempotencyKey(key, fingerprint: fingerprint, at: clock.now()) {
        case .answered(let first, let status, let body):
            return try replay((first, status, body), fingerprint: fingerprint)
        case .pending(let first, let since, let lease):
            guard first == fingerprint else { throw Self.reused }
            // The first request with this key is in flight: its answer is the one to give.
            for _ in 0..<50 {
                try await Task.sleep(for: .milliseconds(100))
                if let answered = try await store.idempotentAnswer(key: key) { return try replay(answered, fingerprint: fingerprint) }
            }
            if let lease {
                // It died after its claim committed: answer with that lease, never a second one.
                let response = try answer(lease, pool: loop.pool(named: lease.pool), state: "leased", holder: lease.state == .leased, now: clock.now())
                return try await keep(response, key: key)
            }
            guard clock.now().millisecondsSinceEpoch - since.millisecondsSinceEpoch > 30_000 else {
                throw APIError(.conflict, .idempotencyKeyInProgress, "a request with this Idempotency-Key is still being answered; retry shortly")
            }
            try await store.retakeIdempotencyKey(key, at: clock.now())  // it died before acting: act now
        case .reserved:
            break
        }
        let response: Response
        do {
            response = try await handle(input)
        } catch let error as APIError where error.status.code < 500 {
            // A refusal is an answer too: the same request gets the same refusal.
            response = JSONBody.error(error)
        } catch {
            try? await store.dropIdempotencyKey(key)  // not kept: a retry with the same key tries again
            throw error
        }
        return try await keep(response, key: key)
    }

    static let reused = APIError(.conflict, .idempotencyKeyReused, "this Idempotency-Key was used for a different request")

    /// Keeps `response` as the answer to `key` and sends it.
    func keep(_ response: Response, key: String) async throws -> Response {
        var responseBody = response.body
        let writer = CollectingWriter()
        try await responseBody.write(writer)
        try await store.recordIdempotentAnswer(key: key, status: Int(response.status.code), body: writer.data)
        return Response(status: response.status, headers: response.headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.data)))
    }

    func replay(_ answer: (fingerprint: String, status: Int, body: Data), fingerprint: String, headers: HTTPFields? = nil) throws -> Response {
        guard answer.fingerprint == fingerprint else { throw Self.reused }
        var fields = headers ?? [:]
        if headers == nil, !answer.body.isEmpty { fields[.contentType] = "application/json; charset=utf-8" }
        if headers == nil, answer.status == 204 { fields[.retryAfter] = "1" }
        return Response(status: HTTPResponse.Status(code: answer.status), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}

/// A request's body as read (LeaseRequest), with its Idempotency-Key.
struct Body {
    var request: LeaseRequest
    /// The request's Idempotency-Key, which a claim records with the lease it makes.
    var idempotencyKey: String?
}

/// Gathers a response body into memory (for keeping an idempotent answer).
final class CollectingWriter: ResponseBodyWriter, @unchecked Sendable {
    var data = Data()

    func write(_ buffer: ByteBuffer) async throws { data.append(contentsOf: buffer.readableBytesView) }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
