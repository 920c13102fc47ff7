internal import Foundation
internal import MCP
internal import OrbrecCore
internal import OrbrecStore
internal import OrbrecLeases

/// A pull-mode task as the worker tools answer: the attempt, what it holds, and what to call
/// next. The task's fields are those of the daemon's lease API (`POST /api/v1/pools/{pool}/claim`),
/// so a worker reads the same shape over either; `next_actions` name tools and their
/// arguments instead of HTTP paths.
struct LeaseAnswer: Encodable, Sendable {
    /// One call the caller may make next.
    struct Action: Encodable, Sendable {
        /// `complete`, `fail`, `heartbeat`, `release`, `claim`, `wait` or `requeue`.
        var action: String
        /// The tool to call, none for `wait`.
        var tool: String?
        var arguments: [String: Value]?
        var recommended: Bool
        var retryAfterSeconds: Int64
        var before: String?
        var reason: String
    }

    /// Nil when nothing was there to claim.
    var task: LeaseTaskView?
    var nextActions: [Action]
    /// Why `task` is null, when it is.
    var message: String?

    enum CodingKeys: String, CodingKey {
        case task, message
        case nextActions = "next_actions"
    }

    /// `task` is always there: null when nothing was claimed.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(task, forKey: .task)
        try container.encode(nextActions, forKey: .nextActions)
        try container.encodeIfPresent(message, forKey: .message)
    }

    /// The answer about `record`; `holder` when the caller holds its lease (it gets the token).
    init(_ record: LeaseRecord, pool: TaskPoolSpec?, state: String, holder: Bool, now: Instant, nextTryAt: Instant? = nil) {
        let id = "\(record.pool):\(record.key)"
        task = LeaseTaskView(record, pool: pool, state: state, holder: holder, nextTryAt: nextTryAt)
        let situation = TaskNextActions.Situation(
            pool: record.pool, pathID: id, state: TaskState(rawValue: state) ?? .running, nextTryAt: nextTryAt,
            heldUntil: holder ? record.expiresAt : nil, leaseMilliseconds: record.leaseMilliseconds)
        let token = holder ? record.token : nil
        nextActions = TaskNextActions.derive(situation, now: now).map {
            Self.action($0, id: id, pool: record.pool, key: record.key, token: token, worker: record.worker)
        }
    }

    /// Nothing to claim now.
    init(nothingIn pool: String, worker: String, message: String) {
        task = nil
        self.message = message
        nextActions = [Action(action: "claim", tool: "claim_task", arguments: ["pool": .string(pool), "worker": .string(worker)],
                              recommended: true, retryAfterSeconds: 1, before: nil,
                              reason: "nothing is offered now; claim again in a moment")]
    }

    /// A next action of the lease API, as the tool that does it.
    static func action(_ next: NextAction, id: String, pool: String, key: String, token: String?, worker: String?) -> Action {
        var tool: String?
        var arguments: [String: Value]?
        let held: [String: Value] = ["id": .string(id), "token": token.map { .string($0) } ?? .null]
        switch next.action {
        case "complete", "fail", "heartbeat", "release":
            tool = next.action + "_task"
            arguments = held
        case "claim":
            tool = "claim_task"
            arguments = ["pool": .string(pool), "worker": worker.map { .string($0) } ?? .null]
        case "requeue":
            tool = "requeue_tasks"
            arguments = ["pool": .string(pool), "keys": [.string(key)]]
        default:
            tool = nil
        }
        return Action(action: next.action, tool: tool, arguments: arguments?.filter { !$0.value.isNull }, recommended: next.recommended,
                      retryAfterSeconds: next.retryAfterSeconds, before: next.before.map(LeaseTaskView.iso),
                      reason: next.reason.replacingOccurrences(of: "retryAfterSeconds", with: "retry_after_seconds"))
    }
}
