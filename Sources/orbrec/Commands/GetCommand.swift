internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecSpec

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "List observed objects: machines, requests, actions or tasks.")

    enum Object: String, ExpressibleByArgument, CaseIterable {
        case machines, requests, actions, tasks
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "machines | requests | actions | tasks")
    var object: Object

    @Argument(help: "For tasks: only this pool.")
    var pool: String?

    @Option(name: [.customShort("o"), .long], help: "table or json")
    var output: OutputFormat = .table

    @Flag(help: "Include returned and failed machines.")
    var all = false

    func run() async throws {
        try await Session.run(global) { session in
            guard let store = try session.openExistingStore() else {
                session.terminal.out(output == .json ? "[]" : "No state yet at \(global.statePath).")
                return .success
            }
            let now = SystemClock().now()
            switch object {
            case .machines:
                let rows = try await machineRows(store, session)
                if output == .json { session.terminal.out(try JSONOutput.string(rows)); return .success }
                var table = Table("ID", "FLEET", "TEMPLATE", "STATE", "PROVIDER", "PROVIDER ID", "AGE", "REQUEST")
                for row in rows {
                    table.add(row.id, row.fleet, row.template, row.state, row.provider, row.providerId ?? "-",
                              Format.age(Instant(millisecondsSinceEpoch: row.createdAt), now: now), row.request)
                }
                session.terminal.out(rows.isEmpty ? "No machines." : table.rendered)
            case .requests:
                let requests = try store.requests()
                let rows = try requests.map { RequestDocument($0, machines: try store.requestMachines(requestID: $0.id)) }
                if output == .json { session.terminal.out(try JSONOutput.string(rows)); return .success }
                var table = Table("ID", "KIND", "STATUS", "RESOURCE", "MACHINES", "AGE", "MESSAGE")
                for (request, row) in zip(requests, rows) {
                    table.add(row.id, row.kind, row.status, row.resource, "\(row.machines.count)",
                              Format.age(request.createdAt, now: now), row.message)
                }
                session.terminal.out(rows.isEmpty ? "No requests." : table.rendered)
            case .tasks:
                let rows = try store.tasks(pool: pool).map { record in
                    TaskDocument(record, attempts: (try? store.attempts(pool: record.pool, key: record.key)) ?? [])
                }
                if output == .json { session.terminal.out(try JSONOutput.string(rows)); return .success }
                var table = Table("POOL", "KEY", "STATE", "ATTEMPTS", "COUNTED", "LAST", "CLASS", "NEXT TRY", "JOB")
                for row in rows {
                    let next = row.nextTryAt.map { Format.age(now, now: Instant(millisecondsSinceEpoch: $0)) + " from now" } ?? "-"
                    table.add(row.pool, row.key, row.state, "\(row.attemptsStarted)", "\(row.attemptsConsumed)",
                              row.lastResult ?? "-", row.attempts.last?.failureClass ?? "-", next, row.attempts.last?.jobID ?? "-")
                }
                session.terminal.out(rows.isEmpty ? "No tasks." : table.rendered)
            case .actions:
                let rows = try store.actions().map(ActionDocument.init)
                if output == .json { session.terminal.out(try JSONOutput.string(rows)); return .success }
                session.terminal.out(rows.isEmpty ? "No actions." : ActionDocument.table(rows, now: now).rendered)
            }
            return .success
        }
    }

    /// The journal's machines with the live state the providers report (read-only: nothing is written).
    private func machineRows(_ store: StateStore, _ session: Session) async throws -> [MachineDocument] {
        var rows = try store.machines(includeFinished: all).map(MachineDocument.init)
        // Overlay what the providers report now, when the configuration can be read.
        guard let desired = try? ConfigLoaderShim.load(session) else { return rows }
        let snapshot = try await session.reconciler(store).snapshot(of: desired)
        let live = Dictionary(snapshot.machines.map { ($0.id, $0.state) }, uniquingKeysWith: { first, _ in first })
        let known = Set(rows.map(\.id))
        for index in rows.indices {
            if let state = live[rows[index].id] { rows[index].state = state.rawValue }
        }
        for machine in snapshot.observed.machines where !known.contains(machine.id) {
            rows.append(MachineDocument(machine))
        }
        return rows.sorted { ($0.fleet, $0.id) < ($1.fleet, $1.id) }
    }
}

struct MachineDocument: Encodable {
    var id: String
    var fleet: String
    var template: String
    var templateHash: String
    var state: String
    var provider: String
    var providerId: String?
    var request: String
    var action: String
    var message: String
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case id, fleet, template, state, provider, request, action, message
        case templateHash = "template_hash"
        case providerId = "provider_id"
        case createdAt = "created_at"
    }

    init(_ machine: ObservedMachine) {
        id = machine.id
        fleet = machine.fleet
        template = machine.template
        templateHash = machine.templateHash
        state = machine.state.rawValue
        provider = machine.provider
        providerId = machine.providerID
        request = ""
        action = machine.actionID
        message = "not in the journal: " + machine.message
        createdAt = machine.createdAt.millisecondsSinceEpoch
    }

    init(_ record: MachineRecord) {
        id = record.id
        fleet = record.fleet
        template = record.template
        templateHash = record.templateHash
        state = record.state.rawValue
        provider = record.provider
        providerId = record.providerId
        request = record.requestId
        action = record.actionId
        message = record.message
        createdAt = record.createdAt.millisecondsSinceEpoch
    }
}

struct RequestDocument: Encodable {
    struct Machine: Encodable {
        var id: String
        var state: String
        var message: String
    }

    var id: String
    var kind: String
    var status: String
    var resource: String
    var action: String
    var message: String
    /// Machines made (provision) or given back (return) so far, of `target` asked: the
    /// counts of a `partial` request, as ORB reports them.
    var fulfilled: Int
    var target: Int
    var machines: [Machine]
    var createdAt: Int64
    var updatedAt: Int64

    enum CodingKeys: String, CodingKey {
        case id, kind, status, resource, action, message, fulfilled, target, machines
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    init(_ request: RequestRecord, machines: [RequestMachineRecord]) {
        id = request.id
        kind = request.kind.rawValue
        status = request.status.rawValue
        resource = request.resource.description
        action = request.actionId
        message = request.message
        self.machines = machines.map { Machine(id: $0.machineId, state: $0.state.rawValue, message: $0.message) }
        target = machines.count
        fulfilled = machines.filter { request.kind == .return ? $0.state == .returned : $0.state != .failed }.count
        createdAt = request.createdAt.millisecondsSinceEpoch
        updatedAt = request.updatedAt.millisecondsSinceEpoch
    }
}

struct ActionDocument: Encodable {
    var id: String
    var verb: String
    var resource: String
    var reason: String
    var detail: String
    var state: String
    var request: String?
    var error: String?
    var configRevision: String
    var actor: String
    var createdAt: Int64
    var updatedAt: Int64

    enum CodingKeys: String, CodingKey {
        case id, verb, resource, reason, detail, state, request, error, actor
        case configRevision = "config_revision"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    init(_ record: ActionRecord) {
        id = record.id
        verb = record.verb.rawValue
        resource = record.resource.description
        reason = record.reason.description
        detail = record.detail
        state = record.state.rawValue
        request = record.requestId
        error = record.error
        configRevision = record.configRevision
        actor = record.actor
        createdAt = record.createdAt.millisecondsSinceEpoch
        updatedAt = record.updatedAt.millisecondsSinceEpoch
    }

    static func table(_ rows: [ActionDocument], now: Instant) -> Table {
        var table = Table("TIME", "ID", "VERB", "RESOURCE", "REASON", "STATE", "DETAIL")
        for row in rows {
            let detail = row.error.map { "\(row.detail) — \($0)" } ?? row.detail
            table.add(Format.time(Instant(millisecondsSinceEpoch: row.createdAt)), row.id, row.verb, row.resource, row.reason,
                      row.state, detail)
        }
        return table
    }
}

/// Loads the configuration quietly, for commands that can do without it.
enum ConfigLoaderShim {
    static func load(_ session: Session) throws -> DesiredState {
        try ConfigLoader().load(session.global.config).desired
    }
}

/// `get tasks -o json`: one task with every attempt.
struct TaskDocument: Encodable {
    struct Attempt: Encodable {
        var attempt: Int
        var state: String
        var jobID: String?
        var scheduler: String
        var exitCode: Int?
        var signal: Int?
        var failureClass: String?
        var host: String
        var startedAt: Int64?
        var endedAt: Int64?

        enum CodingKeys: String, CodingKey {
            case attempt, state, scheduler, signal, host
            case jobID = "job_id"
            case exitCode = "exit_code"
            case failureClass = "failure_class"
            case startedAt = "started_at"
            case endedAt = "ended_at"
        }
    }

    var pool: String
    var key: String
    var state: String
    var attemptsStarted: Int
    var attemptsConsumed: Int
    var nextTryAt: Int64?
    var lastResult: String?
    var attempts: [Attempt]

    enum CodingKeys: String, CodingKey {
        case pool, key, state, attempts
        case attemptsStarted = "attempts_started"
        case attemptsConsumed = "attempts_consumed"
        case nextTryAt = "next_try_at"
        case lastResult = "last_result"
    }

    init(_ record: TaskRecord, attempts: [AttemptRecord]) {
        pool = record.pool
        key = record.key
        state = record.state.rawValue
        attemptsStarted = record.attemptsStarted
        attemptsConsumed = record.attemptsConsumed
        nextTryAt = record.nextTryAt?.millisecondsSinceEpoch
        lastResult = record.status.lastOutcome?.summary
        self.attempts = attempts.map {
            Attempt(attempt: $0.attempt, state: $0.state.rawValue, jobID: $0.jobId, scheduler: $0.scheduler, exitCode: $0.exitCode,
                    signal: $0.signal, failureClass: $0.failureClass?.rawValue, host: $0.host,
                    startedAt: $0.startedAt?.millisecondsSinceEpoch, endedAt: $0.endedAt?.millisecondsSinceEpoch)
        }
    }
}
