internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecServer
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

/// Loads the configuration quietly, for commands that can do without it.
enum ConfigLoaderShim {
    static func load(_ session: Session) throws -> DesiredState {
        try ConfigLoader().load(session.global.config, policyDirectories: session.global.policyDirectories).desired
    }
}

extension ActionDocument {
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
