internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecAPI

struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "One resource or machine: its spec, status, conditions, machines or tasks, recent actions and events.",
        discussion: "KIND is Fleet, TaskPool (or Pool), Template, Provider, Scheduler, Workflow or Machine, in any case: describe fleet/workers.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("What to describe: Fleet/workers, TaskPool/sims, Machine/workers-ab12c…", valueName: "kind/name"),
              completion: ResourceCompletion.kind(.resource))
    var target: String

    @Option(help: "How many recent actions and events to show.")
    var limit: Int = 10

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        try await Session.run(global) { session in
            let document: DescriptionDocument
            let parts = target.split(separator: "/", maxSplits: 1).map(String.init)
            if parts.count == 2, parts[0].lowercased() == "machine", !parts[1].isEmpty {
                document = try await describeMachine(parts[1], session)
            } else {
                let text = parts.count == 2 && parts[0].lowercased() == "pool" ? "TaskPool/" + parts[1] : target
                guard let id = ResourceID(parsing: text), id.kind != .policy else {
                    throw CommandFailure(.error, "'\(target)' is not KIND/NAME (Fleet, TaskPool, Template, Provider, Scheduler, Workflow or Machine)")
                }
                document = try await describeResource(id, session)
            }
            if output.format.isDocument {
                try session.terminal.document(document, as: output.format)
            } else {
                session.terminal.out(DescriptionRenderer(session: session).render(document))
            }
            return .success
        }
    }

    /// A declared resource (or one the state still holds after it left the configuration).
    private func describeResource(_ id: ResourceID, _ session: Session) async throws -> DescriptionDocument {
        let store = try await session.openExistingStore()
        let desired = try? session.loadConfiguration().desired
        let record = try await store?.resources().first { $0.id == id }
        let declared = desired?.resources.first { $0.id == id }
        guard declared != nil || record != nil else {
            throw CommandFailure(.error, "no \(id) in the configuration or the state")
        }
        var document = DescriptionDocument(kind: id.kind.rawValue, name: id.name)
        document.source = declared?.metadata.location?.description ?? record?.location?.description
        document.labels = declared?.metadata.labels ?? record?.labels ?? [:]
        document.annotations = declared?.metadata.annotations ?? record?.annotations ?? [:]
        document.spec = desired?.documents[id] ?? record.flatMap { try? JSONDecoder().decode(PolicyValue.self, from: Data($0.spec.utf8)) }
        document.inConfiguration = declared != nil
        document.conditions = (record?.conditions ?? []).map(DescriptionDocument.ConditionRow.init)
        if let desired, declared != nil {
            let view = try await session.resourceStatus(desired, store: store)
            if let row = view.report.rows.first(where: { $0.id == id }) {
                document.status = StatusDocument.Resource(row)
            }
            if id.kind == .fleet {
                let live = Dictionary(view.snapshot.machines.map { ($0.id, $0.state) }, uniquingKeysWith: { first, _ in first })
                document.machines = view.snapshot.recorded.filter { $0.fleet == id.name }.map { record in
                    var row = MachineDocument(record)
                    if let state = live[record.id] { row.state = state.rawValue }
                    return row
                }.sorted { $0.id < $1.id }
            }
        } else if id.kind == .fleet, let store {
            document.machines = try await store.machines().filter { $0.fleet == id.name }.map(MachineDocument.init)
        }
        if id.kind == .taskPool, let store {
            var tasks: [TaskDocument] = []
            for record in try await store.tasks(pool: id.name).sorted(by: { NaturalOrder.less($0.key, $1.key) }) {
                tasks.append(TaskDocument(record, attempts: (try? await store.attempts(pool: record.pool, key: record.key)) ?? []))
            }
            document.tasks = tasks
        }
        if let store {
            document.actions = try await store.actions(resource: id, limit: limit).map(ActionDocument.init)
            document.events = try await store.recentEvents(resource: id.description, limit: limit).map(EventDocument.init)
        }
        return document
    }

    /// A machine the state holds: its record, the request that made it, its events.
    private func describeMachine(_ machineID: String, _ session: Session) async throws -> DescriptionDocument {
        guard let store = try await session.openExistingStore(), let machine = try await store.machine(id: machineID) else {
            throw CommandFailure(.error, "no machine \(machineID) in the state")
        }
        var document = DescriptionDocument(kind: "Machine", name: machine.id)
        document.machine = MachineDocument(machine)
        document.actions = try await store.action(id: machine.actionId).map { [ActionDocument($0)] } ?? []
        document.events = try await store.recentEvents(subject: "machine/\(machine.id)", limit: limit).map(EventDocument.init)
        return document
    }
}

/// `orbrec describe -o json`: what the text shows, as fields.
struct DescriptionDocument: Encodable {
    struct ConditionRow: Encodable {
        var type: String
        var status: String
        var reason: String
        var message: String
        var lastTransitionTime: Int64

        init(_ condition: Condition) {
            type = condition.type
            status = condition.status
            reason = condition.reason
            message = condition.message
            lastTransitionTime = condition.lastTransitionTime.millisecondsSinceEpoch
        }

        enum CodingKeys: String, CodingKey {
            case type, status, reason, message
            case lastTransitionTime = "last_transition_time"
        }
    }

    var kind: String
    var name: String
    var source: String?
    var inConfiguration: Bool?
    var labels: [String: String] = [:]
    var annotations: [String: String] = [:]
    /// The spec as written (as last applied, for a resource no longer in the configuration).
    var spec: PolicyValue?
    /// The resource's row of `status` (its `resource` field names it again).
    var status: StatusDocument.Resource?
    var conditions: [ConditionRow] = []
    var machine: MachineDocument?
    var machines: [MachineDocument]?
    var tasks: [TaskDocument]?
    /// The newest actions on it, newest first.
    var actions: [ActionDocument] = []
    /// Its newest journal events, oldest first.
    var events: [EventDocument] = []

    init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case kind, name, source, labels, annotations, spec, status, conditions, machine, machines, tasks, actions, events
        case inConfiguration = "in_configuration"
    }
}
