internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecSpec
internal import OrbrecAPI

/// What `orbrec get KIND [NAME]` lists, one function per kind. Each returns the text (a
/// table, or the JSON or YAML document) rather than printing it, so a caller that shows it
/// again (`--watch`) can compare it with what it showed.
extension GetCommand {
    struct Listing {
        var text: String
        var found: Bool
    }

    func listing(_ session: Session, store: StateStore?, now: Instant) async throws -> Listing {
        switch object {
        case .machines: return try await machines(session, store: store, now: now)
        case .requests: return try await requests(session, store: store, now: now)
        case .actions: return try await actions(session, store: store, now: now)
        case .tasks: return try await tasks(session, store: store, now: now)
        case .fleets: return try await fleets(session, store: store)
        case .pools: return try await pools(session, store: store)
        case .templates: return try templates(session)
        case .workflows: return try await workflows(session, store: store)
        case .partitions: return try await partitions(session, store: store)
        case .jobs: return try await jobs(session, store: store)
        }
    }

    /// The rendered listing: the document, or the table (`empty` when there are no rows).
    func render<T: Encodable>(_ rows: [T], table: () -> Table, empty: String) throws -> Listing {
        if output.isDocument { return Listing(text: try StructuredOutput.string(rows, as: output), found: !rows.isEmpty) }
        return Listing(text: rows.isEmpty ? empty : table().rendered, found: !rows.isEmpty)
    }

    var wide: Bool { output == .wide }

    /// Labels by resource, from the configuration when it can be read, else as last applied.
    private func labels(_ session: Session, store: StateStore?) async -> [ResourceID: [String: String]] {
        var labels: [ResourceID: [String: String]] = [:]
        for record in (try? await store?.resources()) ?? [] { labels[record.id] = record.labels }
        if let desired = try? ConfigLoaderShim.load(session) {
            for resource in desired.resources { labels[resource.id] = resource.metadata.labels }
        }
        return labels
    }

    // MARK: Observed

    private func machines(_ session: Session, store: StateStore?, now: Instant) async throws -> Listing {
        guard let store else { return try render([MachineDocument](), table: { Table() }, empty: "No machines.") }
        let labels = filters.selectors.isEmpty ? [:] : await labels(session, store: store)
        let rows = try await machineRows(store, session).filter { row in
            (name == nil || row.id == name) && (filters.fleet == nil || row.fleet == filters.fleet) && filters.matches(state: row.state)
                && filters.matches(labels: labels[ResourceID(.fleet, row.fleet)] ?? [:])
        }
        return try render(rows, table: {
            var table = wide ? Table("ID", "FLEET", "TEMPLATE", "STATE", "PROVIDER", "PROVIDER ID", "AGE", "REQUEST", "PRIVATE IP", "PUBLIC IP",
                                     "HOSTNAME", "ACTION", "MESSAGE")
                             : Table("ID", "FLEET", "TEMPLATE", "STATE", "PROVIDER", "PROVIDER ID", "AGE", "REQUEST")
            for row in rows {
                var cells = [row.id, row.fleet, row.template, row.state, row.provider, row.providerId ?? "-",
                             Format.age(Instant(millisecondsSinceEpoch: row.createdAt), now: now), row.request]
                if wide { cells += [row.privateIpAddress ?? "-", row.publicIpAddress ?? "-", row.hostname ?? "-", row.action, row.message] }
                table.add(cells)
            }
            return table
        }, empty: name.map { "No machine \($0)." } ?? "No machines.")
    }

    private func requests(_ session: Session, store: StateStore?, now: Instant) async throws -> Listing {
        guard let store else { return try render([RequestDocument](), table: { Table() }, empty: "No requests.") }
        let labels = filters.selectors.isEmpty ? [:] : await labels(session, store: store)
        let requests = try await store.requests().filter { request in
            (name == nil || request.id == name) && filters.matches(state: request.status.rawValue)
                && (filters.fleet == nil || request.resource == ResourceID(.fleet, filters.fleet ?? ""))
                && filters.matches(labels: labels[request.resource] ?? [:])
        }
        var rows: [RequestDocument] = []
        for request in requests { rows.append(RequestDocument(request, machines: try await store.requestMachines(requestID: request.id))) }
        return try render(rows, table: {
            var table = wide ? Table("ID", "KIND", "STATUS", "RESOURCE", "MACHINES", "AGE", "ACTION", "UPDATED", "MESSAGE")
                             : Table("ID", "KIND", "STATUS", "RESOURCE", "MACHINES", "AGE", "MESSAGE")
            for (request, row) in zip(requests, rows) {
                var cells = [row.id, row.kind, row.status, row.resource, "\(row.machines.count)", Format.age(request.createdAt, now: now)]
                if wide { cells += [row.action, Format.time(request.updatedAt)] }
                table.add(cells + [row.message])
            }
            return table
        }, empty: name.map { "No request \($0)." } ?? "No requests.")
    }

    private func actions(_ session: Session, store: StateStore?, now: Instant) async throws -> Listing {
        let rows = try await (store?.actions() ?? []).map(ActionDocument.init).filter { row in
            (name == nil || row.id == name) && filters.matches(state: row.state)
        }
        return try render(rows, table: { ActionDocument.table(rows, now: now) }, empty: name.map { "No action \($0)." } ?? "No actions.")
    }

    /// `get tasks [POOL | POOL/KEY]`: keys in natural order (2 before 10), with when each
    /// task's first attempt started, when its last ended, and the time between.
    private func tasks(_ session: Session, store: StateStore?, now: Instant) async throws -> Listing {
        guard let store else { return try render([TaskDocument](), table: { Table() }, empty: "No tasks.") }
        var pool = filters.pool
        var key: String?
        if let name {
            let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
            pool = parts[0]
            key = parts.count == 2 ? parts[1] : nil
        }
        let labels = filters.selectors.isEmpty ? [:] : await labels(session, store: store)
        let records = try await store.tasks(pool: pool).filter { record in
            (key == nil || record.key == key) && filters.matches(state: record.state.rawValue)
                && filters.matches(labels: labels[ResourceID(.taskPool, record.pool)] ?? [:])
        }.sorted { $0.pool == $1.pool ? NaturalOrder.less($0.key, $1.key) : $0.pool < $1.pool }
        var rows: [TaskDocument] = []
        for record in records {
            rows.append(TaskDocument(record, attempts: (try? await store.attempts(pool: record.pool, key: record.key)) ?? []))
        }
        return try render(rows, table: {
            var table = wide
                ? Table("POOL", "KEY", "STATE", "ATTEMPTS", "LAST", "START", "END", "ELAPSED", "COUNTED", "CLASS", "NEXT TRY", "JOB", "HOST")
                : Table("POOL", "KEY", "STATE", "ATTEMPTS", "LAST", "START", "END", "ELAPSED")
            for (record, row) in zip(records, rows) {
                let times = TaskTimes(row, finished: record.state.isFinished, now: now)
                var cells = [row.pool, row.key, row.state, "\(row.attemptsStarted)", row.lastResult ?? "-",
                             times.start.map(Format.time) ?? "-", times.end.map(Format.time) ?? "-", times.elapsed.map(Format.duration) ?? "-"]
                if wide {
                    let next = row.nextTryAt.map { Format.age(now, now: Instant(millisecondsSinceEpoch: $0)) + " from now" } ?? "-"
                    cells += ["\(row.attemptsConsumed)", row.attempts.last?.failureClass ?? "-", next, row.attempts.last?.jobID ?? "-",
                              row.attempts.last.map(\.host).flatMap { $0.isEmpty ? nil : $0 } ?? "-"]
                }
                table.add(cells)
            }
            return table
        }, empty: name.map { "No tasks of \($0)." } ?? "No tasks.")
    }

    // MARK: Declared

    private func fleets(_ session: Session, store: StateStore?) async throws -> Listing {
        let desired = try session.loadConfiguration().desired
        let view = try await session.resourceStatus(desired, store: store)
        let machines = Dictionary(grouping: view.snapshot.recorded, by: \.fleet)
        let chosen = desired.sortedFleets.filter { fleet in
            (name == nil || fleet.name == name) && filters.matches(labels: fleet.metadata.labels)
        }
        let rows = chosen.compactMap { fleet -> (FleetSpec, StatusReport.Row)? in
            guard let row = view.report.rows.first(where: { $0.id == fleet.id }), filters.matches(state: row.sync.rawValue)
                    || filters.matches(state: row.health.rawValue) else { return nil }
            return (fleet, row)
        }
        let documents = rows.map { FleetDocument(row: $0.1, machines: machines[$0.0.name] ?? []) }
        return try render(documents, table: {
            var table = wide ? Table("NAME", "TEMPLATE", "DESIRED", "OBSERVED", "SYNC", "HEALTH", "PROVIDER", "LABELS", "MESSAGE")
                             : Table("NAME", "TEMPLATE", "DESIRED", "OBSERVED", "SYNC", "HEALTH", "MESSAGE")
            for (fleet, row) in rows {
                var cells = [fleet.name, fleet.template, row.desired, row.observed, session.paint(row.sync), session.paint(row.health)]
                if wide { cells += [desired.provider(of: fleet)?.name ?? "-", Self.labelText(fleet.metadata.labels)] }
                table.add(cells + [row.message])
            }
            return table
        }, empty: name.map { "No fleet \($0) in the configuration." } ?? "No fleets.")
    }

    private func pools(_ session: Session, store: StateStore?) async throws -> Listing {
        let desired = try session.loadConfiguration().desired
        let tasks = try await store?.tasks().map(\.status) ?? []
        let byPool = Dictionary(grouping: tasks, by: \.pool)
        let pools = desired.pools.values.sorted { $0.name < $1.name }.filter { pool in
            (name == nil || pool.name == name) && (filters.pool == nil || pool.name == filters.pool) && filters.matches(labels: pool.metadata.labels)
        }
        let rows = pools.map { PoolDocument($0, progress: PoolProgress(pool: $0, tasks: byPool[$0.name] ?? [])) }
            .filter { filters.matches(state: $0.state) }
        return try render(rows, table: {
            var table = wide ? Table("NAME", "SCHEDULER", "MODE", "TASKS", "DONE", "RUNNING", "RETRYING", "DEAD", "CANCELLED", "STATE", "LABELS")
                             : Table("NAME", "SCHEDULER", "TASKS", "DONE", "RUNNING", "RETRYING", "DEAD", "STATE")
            for row in rows {
                if wide {
                    table.add(row.name, row.scheduler, row.mode, "\(row.tasks)", "\(row.done)", "\(row.running)", "\(row.retrying)", "\(row.dead)",
                              "\(row.cancelled)", row.state, Self.labelText(row.labels))
                } else {
                    table.add(row.name, row.scheduler, "\(row.tasks)", "\(row.done)", "\(row.running)", "\(row.retrying)", "\(row.dead)", row.state)
                }
            }
            return table
        }, empty: name.map { "No pool \($0) in the configuration." } ?? "No task pools.")
    }

    private func templates(_ session: Session) throws -> Listing {
        let desired = try session.loadConfiguration().desired
        let rows = desired.templates.values.sorted { $0.name < $1.name }
            .filter { (name == nil || $0.name == name) && filters.matches(labels: $0.metadata.labels) }
            .map { template in
                TemplateDocument(name: template.name, provider: template.provider, specHash: template.specHash, labels: template.metadata.labels,
                                 fleets: desired.sortedFleets.filter { $0.template == template.name }.map(\.name))
            }
        return try render(rows, table: {
            var table = wide ? Table("NAME", "PROVIDER", "FLEETS", "SPEC HASH", "LABELS") : Table("NAME", "PROVIDER", "FLEETS")
            for row in rows {
                let fleets = row.fleets.isEmpty ? "-" : row.fleets.joined(separator: ",")
                table.add(wide ? [row.name, row.provider, fleets, row.specHash, Self.labelText(row.labels)] : [row.name, row.provider, fleets])
            }
            return table
        }, empty: name.map { "No template \($0) in the configuration." } ?? "No templates.")
    }

    /// `get workflows`: the document `workflows list`, `GET /api/v1/workflows` and MCP's
    /// `list_workflows` answer, from the same engine call.
    private func workflows(_ session: Session, store: StateStore?) async throws -> Listing {
        let desired = try session.loadConfiguration().desired
        let summaries = if let store {
            try await WorkflowsCommand.refused { try await session.reconciler(store).workflowSummaries(desired) }
        } else {
            Reconciler.workflowSummaries(withoutState: desired, now: SystemClock().now())
        }
        let chosen = summaries
            .filter { (name == nil || $0.spec.name == name) && filters.matches(labels: $0.spec.metadata.labels) }
            .filter { filters.status == nil || filters.matches(state: $0.lastRun?.state.rawValue ?? "") }
        return try render(chosen.map { WorkflowSummaryDocument($0) }, table: {
            var table = wide ? Table("NAME", "STEPS", "LAST RUN", "STATE", "STARTED", "ENDED", "LABELS") : Table("NAME", "STEPS", "LAST RUN", "STATE")
            for summary in chosen {
                let last = summary.lastRun
                var cells = [summary.spec.name, "\(summary.spec.steps.count)", last?.id ?? "-", last?.state.rawValue ?? "-"]
                if wide {
                    cells += [last.map { Format.time($0.createdAt) } ?? "-", last?.endedAt.map(Format.time) ?? "-",
                              Self.labelText(summary.spec.metadata.labels)]
                }
                table.add(cells)
            }
            return table
        }, empty: name.map { "No workflow \($0) in the configuration." } ?? "No workflows.")
    }

    static func labelText(_ labels: [String: String]) -> String {
        labels.isEmpty ? "-" : labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}

/// When a task ran: its first attempt's start, its last attempt's end once the task is
/// finished, and the time between (until now while it runs).
struct TaskTimes {
    var start: Instant?
    var end: Instant?
    var elapsed: Int64?

    init(_ task: TaskDocument, finished: Bool, now: Instant) {
        start = task.attempts.compactMap(\.startedAt).min().map(Instant.init(millisecondsSinceEpoch:))
        end = finished ? task.attempts.compactMap(\.endedAt).max().map(Instant.init(millisecondsSinceEpoch:)) : nil
        if let start { elapsed = max(0, (end ?? now).milliseconds(since: start)) }
    }
}

/// `get pools -o json`: a pool with its tasks counted by state.
struct PoolDocument: Encodable {
    var name: String
    var scheduler: String
    var mode: String
    var tasks: Int
    var done: Int
    var running: Int
    var retrying: Int
    var dead: Int
    var cancelled: Int
    /// `finished` when every task completed, dead-lettered or was cancelled, else `progressing`.
    var state: String
    var labels: [String: String]

    init(_ pool: TaskPoolSpec, progress: PoolProgress) {
        name = pool.name
        scheduler = pool.mode == .pull ? "pull" : pool.scheduler
        mode = pool.mode.rawValue
        tasks = progress.total
        done = progress.done
        running = progress.running
        retrying = progress.retrying
        dead = progress.dead
        cancelled = progress.cancelled
        state = progress.isFinished ? "finished" : "progressing"
        labels = pool.metadata.labels
    }
}

/// `get templates -o json`.
struct TemplateDocument: Encodable {
    var name: String
    var provider: String
    var specHash: String
    var labels: [String: String]
    var fleets: [String]

    enum CodingKeys: String, CodingKey {
        case name, provider, labels, fleets
        case specHash = "spec_hash"
    }
}
