internal import Foundation
internal import Hummingbird
internal import HTTPTypes
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecAPI

/// The routes of the API: reads of the journal and of the daemon's last pass, and the writes
/// (`POST /api/v1/reconcile`, the lease API, machine requests and returns).
struct APIRoutes: Sendable {
    let store: StateStore
    let loop: ReconcileLoop
    let pulse: EventPulse
    let access: AccessControl
    let loopbackOnly: Bool
    let streams: StreamCounter
    let limits: HTTPLimits

    func register(on router: Router<ServerContext>) {
        router.get("/healthz") { _, _ in try JSONBody.response(["status": "ok"]) }
        router.get("/readyz") { request, _ in try readiness(request) }
        router.get("/metrics") { _, _ in try await metrics() }
        let api = router.group("/api/v1")
        api.get("/openapi.json") { _, _ in OpenAPIDocument.response() }
        api.get("/resources") { _, _ in try await resources() }
        api.get("/fleets") { _, _ in try await fleets() }
        api.get("/machines") { request, _ in
            let all = request.uri.queryParameters.get("all") == "true"
            return try JSONBody.response(try await store.machines(includeFinished: all).map(MachineDocument.init))
        }
        api.get("/requests") { request, _ in
            let limit = try limit(request)
            var documents: [RequestDocument] = []
            for request in try await store.requests(limit: limit) {
                documents.append(RequestDocument(request, machines: try await store.requestMachines(requestID: request.id)))
            }
            return try JSONBody.response(documents)
        }
        api.get("/tasks") { request, _ in
            let pool = request.uri.queryParameters.get("pool")
            let now = SystemClock().now()
            var pullPools: [String: Bool] = [:]
            var documents: [TaskDocument] = []
            for record in try await store.tasks(pool: pool) {
                var document = TaskDocument(record, attempts: (try? await store.attempts(pool: record.pool, key: record.key)) ?? [])
                if pullPools[record.pool] == nil { pullPools[record.pool] = loop.pool(named: record.pool)?.mode == .pull }
                if pullPools[record.pool] == true {
                    let lease = try? await store.currentLease(pool: record.pool, key: record.key)
                    let situation = TaskNextActions.Situation(
                        pool: record.pool, pathID: LeaseAnswer.pathID(pool: record.pool, key: record.key), state: record.state,
                        nextTryAt: record.nextTryAt, leasedElsewhereUntil: lease?.state == .leased ? lease?.expiresAt : nil,
                        offered: lease?.state == .offered, key: record.key)
                    document.nextActions = TaskNextActions.derive(situation, now: now).map(LeaseAnswer.Action.init)
                }
                documents.append(document)
            }
            return try JSONBody.response(documents)
        }
        api.get("/actions") { request, _ in
            let limit = try limit(request)
            let resource = try request.uri.queryParameters.get("resource").map { text -> ResourceID in
                guard let id = ResourceID(parsing: text) else {
                    throw APIError(.badRequest, .badResource, "resource must be KIND/NAME, like Fleet/web")
                }
                return id
            }
            return try JSONBody.response(try await store.actions(resource: resource, limit: limit).map(ActionDocument.init))
        }
        api.get("/events") { request, context in
            try await EventStream(store: store, pulse: pulse, status: loop.status, streams: streams, client: context.client,
                                  departure: await ConnectionGuardHandler.departure(of: context.channel)).response(for: request)
        }
        LeaseRoutes(store: store, loop: loop, clock: SystemClock(), limits: limits).register(on: api)
        // Machine requests and returns, templates, and GET /requests/{id}.
        MachineRequestRoutes(store: store, loop: loop, limits: limits).register(on: api)
        TaskRoutes(store: store, loop: loop, limits: limits).register(on: api)
        WorkflowRoutes(loop: loop, limits: limits).register(on: api)
        QueueRoutes(loop: loop).register(on: api)
        api.post("/reconcile") { _, _ in
            if let role = loop.status.current.role, !role.leads {
                throw APIError.notLeader(role.leader)
            }
            guard await loop.reconcileAll(cause: "POST /api/v1/reconcile") else {
                let status = loop.status.current
                throw APIError(.serviceUnavailable, .notReady, status.stopping ? "the daemon is stopping"
                               : "no valid configuration is loaded; see /readyz")
            }
            return try JSONBody.response(["status": "queued"], status: .accepted)
        }
    }

    func limit(_ request: Request) throws -> Int? {
        guard let text = request.uri.queryParameters.get("limit") else { return nil }
        guard let value = Int(text), value > 0 else { throw APIError(.badRequest, .badLimit, "limit must be a positive integer") }
        return value
    }

    func readiness(_ request: Request) throws -> Response {
        let status = loop.status.current
        // Beyond loopback, details (file names, adapter errors) are for holders of the token.
        let detailed = loopbackOnly || access.keyring.identify(request.headers) != nil
        var checks: [ReadinessDocument.Check] = []
        let errors = status.configurationErrors.map(\.rendered)
        checks.append(.init(name: "configuration", ok: status.revision != nil && errors.isEmpty,
                            detail: errors.isEmpty ? (status.revision == nil ? "no valid configuration loaded yet" : "revision \(status.revision!.prefix(12))")
                                : "\(errors.count) error(s); \(status.revision.map { "revision \($0.prefix(12)) stays in force" } ?? "nothing in force"): "
                                    + errors.joined(separator: "; ")))
        if status.follows {
            checks.append(.init(name: "reconcile", ok: true, detail: "the leader reconciles; this daemon follows"))
        } else {
            checks.append(.init(name: "reconcile", ok: status.passes > 0 && status.lastPassError == nil,
                                detail: status.passes == 0 ? "no pass finished yet" : (status.lastPassError.map { "last pass failed: \($0)" } ?? "\(status.passes) pass(es)")))
        }
        if !status.policyDenials.isEmpty {
            checks.append(.init(name: "policy", ok: false, detail: "\(status.policyDenials.count) blocking violation(s); nothing is carried out: "
                                + status.policyDenials.joined(separator: "; ")))
        }
        checks.append(.init(name: "running", ok: !status.stopping, detail: status.stopping ? "stopping" : "running"))
        if let holder = status.waitingForLock {
            // A CLI apply holding the lock delays the daemon; it is not a reason to be unready.
            checks.append(.init(name: "state-lock", ok: true, detail: "waiting: \(holder)"))
        }
        for row in status.report?.rows ?? [] where (row.id.kind == .provider || row.id.kind == .scheduler) && row.health != .healthy {
            // An unreachable adapter is reported, not made a reason to be unready: the daemon itself works.
            checks.append(.init(name: row.id.description, ok: true, detail: "\(row.observed): \(row.message)"))
        }
        if let role = status.role {
            checks.append(.init(name: "leader", ok: true, detail: role.leads ? "this daemon leads (epoch \(role.epoch ?? 0))"
                                : "following \(role.leader?.holder ?? "nobody yet")\(role.leader?.api.map { " at \($0)" } ?? "")"))
        }
        if !detailed { for index in checks.indices { checks[index].detail = nil } }
        var document = ReadinessDocument(ready: status.isReady, checks: checks)
        if let role = status.role {
            document.role = role.leads ? "leader" : "follower"
            if detailed, !role.leads, let leader = role.leader, let holder = leader.holder {
                document.leader = .init(holder: holder, host: leader.host, api: leader.api, epoch: leader.epoch,
                                        expiresAt: leader.expiresAt.millisecondsSinceEpoch)
            } else if detailed, role.leads {
                document.leader = .init(holder: nil, host: nil, api: nil, epoch: role.epoch ?? 0, expiresAt: nil)
            }
        }
        return try JSONBody.response(document, status: status.isReady ? .ok : .serviceUnavailable)
    }

    func metrics() async throws -> Response {
        let status = loop.status.current
        let machines = try await store.machineCounts()
        let tasks = try await store.taskCounts()
        var text = PrometheusText.render(loop.metrics.current, machines: machines, tasks: tasks,
                                         configurationValid: status.configurationErrors.isEmpty && status.revision != nil,
                                         ready: status.isReady)
        if let role = status.role {
            text += PrometheusText.leader(leads: role.leads, epoch: role.leads ? role.epoch : role.leader?.epoch)
        }
        text += access.refusals.rendered
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func resources() async throws -> Response {
        let status = loop.status.current
        if status.follows {
            guard let report = try await loop.journalReport() else {
                throw APIError(.serviceUnavailable, .notReady, "no valid configuration is loaded; see /readyz")
            }
            var document = StatusDocument(report: report, problems: status.configurationErrors)
            document.revision = status.revision
            return try JSONBody.response(document)
        }
        guard let report = status.report else {
            throw APIError(.serviceUnavailable, .notReady, "no reconcile pass has finished yet")
        }
        var document = StatusDocument(report: report, problems: status.configurationErrors)
        document.revision = status.revision
        document.observedAt = status.lastPassAt?.millisecondsSinceEpoch
        return try JSONBody.response(document)
    }

    func fleets() async throws -> Response {
        let status = loop.status.current
        let report = status.follows ? try await loop.journalReport() : status.report
        guard let report else {
            throw APIError(.serviceUnavailable, .notReady, "no reconcile pass has finished yet")
        }
        let machines = Dictionary(grouping: try await store.machines(), by: \.fleet)
        let rows = report.rows.filter { $0.id.kind == .fleet }
        return try JSONBody.response(rows.map { row in
            FleetDocument(row: row, machines: machines[row.id.name] ?? [])
        })
    }
}

struct ReadinessDocument: Encodable {
    struct Check: Encodable {
        var name: String
        var ok: Bool
        var detail: String?
    }

    /// Who leads, for a state shared by several daemons (`role` is then `leader` or `follower`).
    struct Leader: Encodable {
        var holder: String?
        var host: String?
        var api: String?
        var epoch: Int64
        var expiresAt: Int64?

        enum CodingKeys: String, CodingKey {
            case holder, host, api, epoch
            case expiresAt = "expires_at"
        }
    }

    var ready: Bool
    var checks: [Check]
    var role: String?
    var leader: Leader?
}
