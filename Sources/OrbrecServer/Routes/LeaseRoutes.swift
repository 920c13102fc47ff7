internal import Foundation
internal import Hummingbird
internal import HTTPTypes
internal import NIOCore
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecLeases
internal import OrbrecStore

/// The pull-mode API: workers claim a pool's tasks with leases and end them with the
/// attempt's fencing token. A token that no longer holds its attempt (expired, revoked,
/// ended, or another attempt's) is refused with 409 `stale_attempt`.
struct LeaseRoutes: Sendable {
    let store: StateStore
    let loop: ReconcileLoop
    let clock: any Clock
    let limits: HTTPLimits

    /// The most a `complete` result may hold: it is kept in the state file with the attempt.
    static let maxResult = 256 << 10
    static let leaseRange: ClosedRange<Int64> = 1...3600

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
        guard let worker = body["worker"] as? String, !worker.isEmpty, worker.count <= 200 else {
            throw APIError(.badRequest, "bad-request", "worker must be a non-empty string (at most 200 characters)")
        }
        let lease = try leaseLength(body, default: 30)
        let machine = try optionalString(body, "machine")
        guard let pool = loop.pool(named: name) else { throw APIError.notFound("no task pool \(name) in the configuration in force") }
        guard pool.mode == .pull else {
            throw APIError(.conflict, "not-a-pull-pool", "TaskPool/\(name) is mode: push: orbrec submits its tasks; only mode: pull pools are claimed")
        }
        let now = clock.now()
        let claimed: LeaseRecord?
        do {
            claimed = try await LeaseService(store: store).claim(pool: name, worker: worker, machine: machine, lease: lease,
                                                           idempotencyKey: body.idempotencyKey, at: now)
        } catch let gone as MachineGone {
            throw APIError(.conflict, "machine_gone", "machine \(gone.machine) is \(gone.state ?? "not one orbrec holds"): "
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
        guard let token = body["token"] as? String, !token.isEmpty else {
            throw APIError(.badRequest, "bad-request", "token must be the string the claim returned")
        }
        let task = try Self.taskID(id)
        let now = clock.now()
        guard let held = try store.lease(token: token) else { throw stale("no lease holds this token", task: task) }
        guard held.task == task else { throw stale("the token is for task \(held.pool):\(held.key), not \(id)", task: task) }
        let pool = loop.pool(named: task.pool)
        do {
            let report: LeaseReport
            switch verb {
            case "heartbeat":
                report = .heartbeat(lease: body["leaseSeconds"] == nil ? nil : try leaseLength(body, default: 30))
            case "complete":
                report = .complete(result: try body["result"].map { value -> String in
                    let data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
                    guard data.count <= Self.maxResult else { throw APIError(.contentTooLarge, "too-large", "result is over 256 KiB") }
                    return String(decoding: data, as: UTF8.self)
                })
            case "fail":
                report = .fail(reason: try optionalString(body, "reason"),
                               retryAfter: try optionalInteger(body, "retryAfterSeconds", range: 0...86_400).map { ConfigDuration.seconds($0) })
            default:
                report = .release
            }
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
        APIError(.conflict, "stale_attempt", "\(message); this worker no longer holds the attempt: claim a new task")
    }

    // MARK: Input

    static func taskID(_ text: String) throws -> TaskID {
        let decoded = text.removingPercentEncoding ?? text
        guard let colon = decoded.firstIndex(of: ":"), colon != decoded.startIndex, decoded.index(after: colon) != decoded.endIndex else {
            throw APIError(.badRequest, "bad-task-id", "a task id is POOL:KEY (percent-encoded), like sims:7")
        }
        return TaskID(pool: String(decoded[..<colon]), key: String(decoded[decoded.index(after: colon)...]))
    }

    func leaseLength(_ body: Body, default seconds: Int64) throws -> ConfigDuration {
        let value = try optionalInteger(body, "leaseSeconds", range: Self.leaseRange) ?? seconds
        return .seconds(value)
    }

    func optionalInteger(_ body: Body, _ name: String, range: ClosedRange<Int64>) throws -> Int64? {
        guard body[name] != nil else { return nil }
        // Read by JSONDecoder, whose Int64 refuses `true`, `1.5` and `"1"`: JSONSerialization
        // cannot tell `1` from `true` on Linux.
        struct Integer: Decodable {
            let value: Int64?
            init(from decoder: any Decoder) throws { value = try? decoder.singleValueContainer().decode(Int64.self) }
        }
        guard let value = (try? JSONDecoder().decode([String: Integer].self, from: body.raw))?[name]?.value, range.contains(value) else {
            throw APIError(.badRequest, "bad-request", "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func optionalString(_ body: Body, _ name: String) throws -> String? {
        guard let raw = body[name] else { return nil }
        guard let text = raw as? String, text.count <= 2000 else {
            throw APIError(.badRequest, "bad-request", "\(name) must be a string (at most 2,000 characters)")
        }
        return text
    }

    // MARK: Idempotency

    /// Runs a POST once per `Idempotency-Key`: a replay (same key, same method, path and body)
    /// gets the first answer again; the same key with anything else is 409.
    func idempotent(_ request: Request, _ context: ServerContext,
                    _ handle: (Body) async throws -> Response) async throws -> Response {
        let bytes = try await request.boundedBody(limits)
        let body: [String: Any]
        if bytes.isEmpty {
            body = [:]
        } else {
            guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
                throw APIError(.badRequest, "bad-request", "the body must be a JSON object")
            }
            body = object
        }
        var input = Body(fields: body, raw: bytes)
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty else { return try await handle(input) }
        input.idempotencyKey = key
        guard key.count <= 200 else { throw APIError(.badRequest, "bad-idempotency-key", "Idempotency-Key is at most 200 characters") }
        var hasher = StableHasher()
        hasher.combine(request.method.rawValue)
        hasher.combine(request.uri.path)
        // The body as JSON, not as bytes: the same object with its keys in another order is
        // the same request.
        let canonical = (try? JSONSerialization.jsonObject(with: bytes)).flatMap {
            try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .fragmentsAllowed])
        } ?? bytes
        hasher.combine(String(decoding: canonical, as: UTF8.self))
        let fingerprint = hasher.hexDigest
        switch try store.reserveIdempotencyKey(key, fingerprint: fingerprint, at: clock.now()) {
        case .answered(let first, let status, let body):
            return try replay((first, status, body), fingerprint: fingerprint)
        case .pending(let first, let since, let lease):
            guard first == fingerprint else { throw Self.reused }
            // The first request with this key is in flight: its answer is the one to give.
            for _ in 0..<50 {
                try await Task.sleep(for: .milliseconds(100))
                if let answered = try store.idempotentAnswer(key: key) { return try replay(answered, fingerprint: fingerprint) }
            }
            if let lease {
                // It died after its claim committed: answer with that lease, never a second one.
                let response = try answer(lease, pool: loop.pool(named: lease.pool), state: "leased", holder: lease.state == .leased, now: clock.now())
                return try await keep(response, key: key)
            }
            guard clock.now().millisecondsSinceEpoch - since.millisecondsSinceEpoch > 30_000 else {
                throw APIError(.conflict, "idempotency_key_in_progress", "a request with this Idempotency-Key is still being answered; retry shortly")
            }
            try store.retakeIdempotencyKey(key, at: clock.now())  // it died before acting: act now
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
            try? store.dropIdempotencyKey(key)  // not kept: a retry with the same key tries again
            throw error
        }
        return try await keep(response, key: key)
    }

    static let reused = APIError(.conflict, "idempotency_key_reused", "this Idempotency-Key was used for a different request")

    /// Keeps `response` as the answer to `key` and sends it.
    func keep(_ response: Response, key: String) async throws -> Response {
        var responseBody = response.body
        let writer = CollectingWriter()
        try await responseBody.write(writer)
        try store.recordIdempotentAnswer(key: key, status: Int(response.status.code), body: writer.data)
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

/// A request's JSON object, with its bytes for the checks JSONSerialization cannot make.
struct Body {
    var fields: [String: Any]
    var raw: Data
    /// The request's Idempotency-Key, which a claim records with the lease it makes.
    var idempotencyKey: String?

    subscript(name: String) -> Any? { fields[name] }
}

/// Gathers a response body into memory (for keeping an idempotent answer).
final class CollectingWriter: ResponseBodyWriter, @unchecked Sendable {
    var data = Data()

    func write(_ buffer: ByteBuffer) async throws { data.append(contentsOf: buffer.readableBytesView) }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
