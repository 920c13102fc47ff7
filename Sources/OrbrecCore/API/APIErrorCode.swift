/// The codes of the API's refusals, one enumeration for HTTP (`{"error": {"code", "message"}}`)
/// and MCP (a tool result with `isError` and `code`): the same refusal answers the same code
/// whichever way it was asked. Codes are kebab-case; the lease API's four keep the snake_case
/// names they were published with (docs/decisions.md), on both sides.
public enum APIErrorCode: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    // Any request.
    case badRequest = "bad-request"
    case unknownField = "unknown-field"
    case notFound = "not-found"
    case methodNotAllowed = "method-not-allowed"
    case unauthorized
    // Scoped tokens: a scope the token lacks, its rate limit, a route or tool no scope covers.
    case missingScope = "missing-scope"
    case rateLimited = "rate-limited"
    case unscopedRoute = "unscoped-route"
    case unscopedTool = "unscoped-tool"
    case misdirected
    case duplicateHost = "duplicate-host"
    case tooLarge = "too-large"
    case internalError = "internal"
    case notReady = "not-ready"
    case notLeader = "not-leader"
    // Query and header values.
    case badLimit = "bad-limit"
    case badResource = "bad-resource"
    case badEventID = "bad-event-id"
    case badIdempotencyKey = "bad-idempotency-key"
    case badTaskID = "bad-task-id"
    case badState = "bad-state"
    case badCursor = "bad-cursor"
    // Event streams.
    case tooManyStreams = "too-many-streams"
    case tooManyStreamsPerClient = "too-many-streams-per-client"
    // Task pools and their tasks.
    case unknownPool = "unknown-pool"
    case notAPullPool = "not-a-pull-pool"
    case unknownTask = "unknown-task"
    case notRequeueable = "not-requeueable"
    case notAnAPIPool = "not-an-api-pool"
    case taskExists = "task-exists"
    case invalidKey = "invalid-key"
    case invalidArgs = "invalid-args"
    // Workflow runs.
    case unknownWorkflow = "unknown-workflow"
    case unknownRun = "unknown-run"
    case runInProgress = "run-in-progress"
    case runFinished = "run-finished"
    // Schedulers' queues (partitions and jobs).
    case unknownScheduler = "unknown-scheduler"
    case schedulerUnreachable = "scheduler-unreachable"
    // The lease API, named as first published.
    case staleAttempt = "stale_attempt"
    case machineGone = "machine_gone"
    case idempotencyKeyReused = "idempotency_key_reused"
    case idempotencyKeyInProgress = "idempotency_key_in_progress"
    // Machine requests and returns (the engine's refusals).
    case unknownTemplate = "unknown-template"
    case unknownMachine = "unknown-machine"
    case unknownRequest = "unknown-request"
    case invalidCount = "invalid-count"
    case overLimit = "over-limit"
    case policyDenied = "policy-denied"
    case alreadyReturning = "already-returning"
    /// A request an idempotency key made was withdrawn: a retry with that key cannot bring it back.
    case withdrawn
    // MCP tools: their arguments, and what they do with the configuration and the state.
    case invalidArguments = "invalid-arguments"
    case invalidConfiguration = "invalid-configuration"
    case noState = "no-state"
    case stateLocked = "state-locked"
    case planFailed = "plan-failed"

    /// The code as it is written on the wire, also in messages.
    public var description: String { rawValue }
}
