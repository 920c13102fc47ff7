internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecStore

extension StateCommand {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which state this is: its backend, location, schema version and id, what it holds, who locks and who leads it.")

        @OptionGroup var global: GlobalOptions

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Session.run(global) { session in
                guard let store = try await session.openExistingStore() else {
                    if output.format.isDocument {
                        session.terminal.note(session.noStateMessage)
                        session.terminal.out("null")
                    } else {
                        session.terminal.out("No state at \(global.stateShown) (nothing applied yet).")
                    }
                    return .success
                }
                let document = try await StateDocument.read(store, backend: global.stateIsRemote ? "postgres" : "sqlite",
                                                            location: global.stateShown)
                await store.close()
                if output.format.isDocument {
                    try session.terminal.document(document, as: output.format)
                } else {
                    session.terminal.out(document.text)
                }
                return .success
            }
        }
    }
}

/// `state show -o json`: `{backend, location, schema_version, state_id, machines: {STATE: n}, tasks: {STATE: n},
/// actions, events, last_event_seq, workflow_runs, lock, leader}`; `lock` as `lock status` gives it, `leader`
/// (PostgreSQL) `{holder, host, pid, epoch, api, expires_at, live}` or null.
struct StateDocument: Encodable {
    struct Leader: Encodable {
        var holder: String
        var host: String?
        var pid: Int32?
        var epoch: Int64
        var api: String?
        var expiresAt: Int64
        var live: Bool

        enum CodingKeys: String, CodingKey {
            case holder, host, pid, epoch, api, live
            case expiresAt = "expires_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(holder, forKey: .holder)
            try container.encode(host, forKey: .host)
            try container.encode(pid, forKey: .pid)
            try container.encode(epoch, forKey: .epoch)
            try container.encode(api, forKey: .api)
            try container.encode(expiresAt, forKey: .expiresAt)
            try container.encode(live, forKey: .live)
        }
    }

    var backend: String
    var location: String
    var schemaVersion: String
    var stateID: String
    var machines: [String: Int]
    var tasks: [String: Int]
    var actions: Int
    var events: Int
    var lastEventSeq: Int64
    var workflowRuns: Int
    var lock: LockDocument.Holder?
    var leader: Leader?

    enum CodingKeys: String, CodingKey {
        case backend, location, machines, tasks, actions, events, lock, leader
        case schemaVersion = "schema_version"
        case stateID = "state_id"
        case lastEventSeq = "last_event_seq"
        case workflowRuns = "workflow_runs"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(backend, forKey: .backend)
        try container.encode(location, forKey: .location)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(stateID, forKey: .stateID)
        try container.encode(machines, forKey: .machines)
        try container.encode(tasks, forKey: .tasks)
        try container.encode(actions, forKey: .actions)
        try container.encode(events, forKey: .events)
        try container.encode(lastEventSeq, forKey: .lastEventSeq)
        try container.encode(workflowRuns, forKey: .workflowRuns)
        try container.encode(lock, forKey: .lock)
        try container.encode(leader, forKey: .leader)
    }

    static func read(_ store: StateStore, backend: String, location: String) async throws -> StateDocument {
        let rows = try await store.rowCounts()
        let leader = try await store.leader().flatMap { record in
            record.holder.map { Leader(holder: $0, host: record.host, pid: record.pid, epoch: record.epoch, api: record.api,
                                       expiresAt: record.expiresAt.millisecondsSinceEpoch, live: record.live) }
        }
        return StateDocument(backend: backend, location: location, schemaVersion: try await store.schemaVersion(), stateID: store.stateID,
                             machines: try await store.machineCounts(), tasks: try await store.taskCounts(),
                             actions: rows["actions"] ?? 0, events: rows["events"] ?? 0, lastEventSeq: try await store.lastEventSeq(),
                             workflowRuns: rows["workflow_runs"] ?? 0, lock: try await store.currentLock().map(LockDocument.Holder.init),
                             leader: leader)
    }

    var text: String {
        var lines = [
            ("State", stateID), ("Backend", backend), ("Location", location), ("Schema version", schemaVersion),
            ("Machines", Self.counts(machines)), ("Tasks", Self.counts(tasks)), ("Actions", String(actions)),
            ("Events", events == 0 ? "0" : "\(events) (last seq \(lastEventSeq))"), ("Workflow runs", String(workflowRuns)),
        ]
        if let lock {
            lines.append(("Lock", "\(lock.id): \(lock.operation) by \(lock.who), pid \(lock.pid) on \(lock.host), "
                + "since \(Format.time(Instant(millisecondsSinceEpoch: lock.createdAt)))"))
        } else {
            lines.append(("Lock", "none"))
        }
        if backend == "postgres" {
            if let leader, leader.live {
                let place = [leader.host, leader.pid.map { "pid \($0)" }].compactMap { $0 }.joined(separator: ", ")
                lines.append(("Leader", "\(leader.holder)\(place.isEmpty ? "" : " (\(place))"), epoch \(leader.epoch)"
                    + (leader.api.map { ", API \($0)" } ?? "") + ", until \(Format.time(Instant(millisecondsSinceEpoch: leader.expiresAt)))"))
            } else {
                lines.append(("Leader", leader.map { "none (\($0.holder)'s lead, epoch \($0.epoch), lapsed)" } ?? "none"))
            }
        }
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { "\($0.0):" + String(repeating: " ", count: width - $0.0.count + 1) + $0.1 }.joined(separator: "\n")
    }

    /// `2 running, 1 returned`, in the order of the states' names; `none` for nothing.
    private static func counts(_ counts: [String: Int]) -> String {
        let parts = counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}
