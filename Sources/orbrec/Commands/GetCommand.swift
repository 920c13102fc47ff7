internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecSpec
internal import OrbrecAPI

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "List objects: fleets, pools, templates, workflows (declared); machines, requests, tasks, actions (observed); partitions, jobs (the schedulers' queues).",
        discussion: """
            With NAME, only that one: a fleet, pool, template or workflow name, a machine, request or action id, \
            or for tasks a pool (POOL) or one task (POOL/KEY). A NAME that matches nothing is an error (exit 1).
            """)

    enum Object: String, ExpressibleByArgument, CaseIterable {
        case fleets, pools, templates, workflows, machines, requests, tasks, actions
        /// What the schedulers report now of their queues.
        case partitions, jobs

        /// The singular and the kind name are accepted too: `get fleet`, `get taskpools`.
        init?(argument: String) {
            let word = argument.lowercased()
            let aliases: [String: Object] = ["fleet": .fleets, "pool": .pools, "taskpool": .pools, "taskpools": .pools,
                                             "template": .templates, "workflow": .workflows, "machine": .machines,
                                             "request": .requests, "task": .tasks, "action": .actions, "partition": .partitions,
                                             "job": .jobs]
            guard let object = Object(rawValue: word) ?? aliases[word] else { return nil }
            self = object
        }

        /// Read from the configuration (with the state for their status); the others only from the state.
        var isDeclared: Bool { [.fleets, .pools, .templates, .workflows].contains(self) || isQueue }

        /// Asked of the schedulers the configuration declares, with or without a state.
        var isQueue: Bool { self == .partitions || self == .jobs }
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "fleets | pools | templates | workflows | machines | requests | tasks | actions | partitions | jobs")
    var object: Object

    @Argument(help: ArgumentHelp("Only this one (for tasks: POOL or POOL/KEY).", valueName: "name"), completion: ResourceCompletion.kind(.getName))
    var name: String?

    @OptionGroup var outputOptions: OutputOptions

    @OptionGroup(title: "Filters") var filters: ListFilters

    var output: OutputFormat { outputOptions.format }

    @Flag(help: "Include returned and failed machines; with jobs, the user's jobs that this state did not submit.")
    var all = false

    @Flag(name: [.customShort("w"), .long], help: "Show it again whenever the state changes, until Ctrl-C.")
    var watch = false

    func run() async throws {
        if watch {
            // Machines are also what providers report, which changes without the state: looked at every 5 s.
            let watcher = Watcher(terminal: global.terminal, session: Session(global), title: "orbrec get \(object.rawValue)",
                                  refresh: object == .machines ? .seconds(5) : nil)
            return try await Session.run(global) { _ in try await watcher.runAgainWithoutWatch() }
        }
        try await Session.run(global) { session in
            let store = try await session.openExistingStore()
            if store == nil && !object.isDeclared {
                if output == .json { session.terminal.note(session.noStateMessage) }
                session.terminal.out(output == .json ? "[]" : "No state at \(global.stateShown) (nothing applied yet).")
                return .success
            }
            let now = SystemClock().now()
            let listing = try await listing(session, store: store, now: now)
            // As `kubectl get KIND NAME`: one thing asked for by name that is not there is an error.
            // A pool's tasks may not exist yet (nothing submitted): an empty list, not an error.
            if let name, !listing.found, !(object == .tasks && !name.contains("/")) {
                throw CommandFailure(.error, "no \(object.rawValue.dropLast()) \(name)"
                    + (object.isQueue ? " on the schedulers" : object.isDeclared ? " in the configuration" : " in the state") + (filters.isFiltering ? " matching the filters" : ""))
            }
            session.terminal.out(listing.text)
            return .success
        }
    }

    /// The journal's machines with the live state the providers report (read-only: nothing is written).
    func machineRows(_ store: StateStore, _ session: Session) async throws -> [MachineDocument] {
        // A machine asked for by id is shown whatever its state.
        var rows = try await store.machines(includeFinished: all || name != nil).map(MachineDocument.init)
        // Overlay what the providers report now, when the configuration can be read.
        guard let desired = try? ConfigLoaderShim.load(session) else { return rows }
        let snapshot = try await session.reconciler(store).snapshot(of: desired)
        let live = Dictionary(snapshot.machines.map { ($0.id, $0.state) }, uniquingKeysWith: { first, _ in first })
        let reached = Dictionary(snapshot.observed.machines.compactMap { machine in machine.addresses.map { (machine.id, $0) } },
                                 uniquingKeysWith: { first, _ in first })
        let known = Set(rows.map(\.id))
        for index in rows.indices {
            if let state = live[rows[index].id] { rows[index].state = state.rawValue }
            // Addresses the provider reports now, for a machine the journal has none for yet.
            if rows[index].addresses.isEmpty, let addresses = reached[rows[index].id] { rows[index].addresses = addresses }
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
        try ConfigLoader().load(session.global.config, policyDirectories: session.global.policyDirectories,
                                excluding: session.writtenDirectories).desired
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
