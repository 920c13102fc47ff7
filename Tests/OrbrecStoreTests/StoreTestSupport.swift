import Foundation
import Testing
import OrbrecCore
import OrbrecStore
import OrbrecStorePostgres
import OrbrecTestSupport

/// A directory of its own under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("orbrec-store-tests-\(UUID().uuidString.lowercased())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A state of `backend` for one test: `state.db` in `directory`, or a schema of its own on the
/// test server.
func stateLocation(_ backend: TestStateBackend, in directory: TemporaryDirectory) throws -> String {
    try backend.location(in: directory.path)
}

/// Opens (creating it if needed) the state at `location` as the CLI does, whichever backend it
/// names. The test closes it (`close()`): a PostgreSQL store holds a connection pool.
func openStore(at location: String, use: StateStores.Use = .command) async throws -> StateStore {
    try #require(try await StateStores.open(try StateAddress.parse(location), create: true, use: use))
}

/// A new state of `backend` for one test.
func openStore(_ backend: TestStateBackend, in directory: TemporaryDirectory) async throws -> StateStore {
    try await openStore(at: try stateLocation(backend, in: directory))
}

/// Builders of journal rows with the fields the tests care about.
enum Journal {
    static func at(_ milliseconds: Int64) -> Instant { Instant(millisecondsSinceEpoch: milliseconds) }

    static func action(_ id: String, verb: Verb = .provision, fleet: String = "workers", reason: ActionReason = .scaleUp,
                       at time: Int64 = 1_000) -> ActionRecord {
        ActionRecord(id: id, idempotencyKey: "key-\(id)", verb: verb, resource: ResourceID(.fleet, fleet), reason: reason,
                     detail: "test action \(id)", state: .planned, requestId: nil, payload: "{}", configRevision: "rev-1",
                     actor: "tester@host", createdAt: at(time), updatedAt: at(time))
    }

    static func machine(_ id: String, fleet: String = "workers", provider: String = "here", providerID: String? = nil,
                        actionID: String, requestID: String, state: MachineState = .pending, at time: Int64 = 1_000) -> MachineRecord {
        MachineRecord(id: id, fleet: fleet, template: "worker", templateHash: "hash-1", provider: provider, providerId: providerID,
                      actionId: actionID, requestId: requestID, state: state, message: "requested",
                      createdAt: at(time), updatedAt: at(time))
    }

    /// A provision request for `machines`, with the machine rows it creates.
    static func provision(_ requestID: String, action actionID: String, machines ids: [String], fleet: String = "workers",
                          provider: String = "here", at time: Int64 = 1_000) -> (intent: RequestIntent, machines: [MachineRecord]) {
        let request = RequestRecord(id: requestID, kind: .provision, status: .inProgress, resource: ResourceID(.fleet, fleet),
                                    actionId: actionID, message: "\(ids.count) × worker", createdAt: at(time), updatedAt: at(time))
        let rows = ids.map { machine($0, fleet: fleet, provider: provider, actionID: actionID, requestID: requestID, at: time) }
        let intent = RequestIntent(request: request, machines: ids.map {
            RequestMachineRecord(requestId: requestID, machineId: $0, state: .pending)
        })
        return (intent, rows)
    }

    /// A return request for `machines`.
    static func giveBack(_ requestID: String, action actionID: String, machines ids: [String], fleet: String = "workers",
                         at time: Int64 = 1_000) -> RequestIntent {
        let request = RequestRecord(id: requestID, kind: .return, status: .inProgress, resource: ResourceID(.fleet, fleet),
                                    actionId: actionID, message: "return \(ids.count) machine(s)", createdAt: at(time), updatedAt: at(time))
        return RequestIntent(request: request, machines: ids.map {
            RequestMachineRecord(requestId: requestID, machineId: $0, state: .terminating)
        })
    }

    /// A machine as a provider reports it.
    static func observed(_ id: String, fleet: String = "workers", provider: String = "here", state: MachineState = .running,
                         at time: Int64 = 500) -> ObservedMachine {
        ObservedMachine(id: id, fleet: fleet, template: "worker", templateHash: "hash-1", provider: provider,
                        providerID: "\(provider):\(id)", actionID: "act-origin", state: state, createdAt: at(time),
                        message: "process of \(id)")
    }
}

/// One event reduced to what the tests compare.
struct EventShape: Hashable, CustomStringConvertible {
    var subject: String
    var from: String?
    var to: String

    init(_ subject: String, _ from: String?, _ to: String) {
        self.subject = subject
        self.from = from
        self.to = to
    }

    init(_ event: EventRecord) { self.init(event.subject, event.fromState, event.toState) }

    var description: String { "\(subject): \(from ?? "nil") → \(to)" }
}

extension StateStore {
    /// Every event, in order.
    func allEvents() async throws -> [EventRecord] { try await events(after: 0, limit: 100_000) }

    /// The events after `seq`, as shapes.
    func eventShapes(after seq: Int64 = 0) async throws -> [EventShape] { try await events(after: seq, limit: 100_000).map(EventShape.init) }

    /// The sequence number of the latest event, or 0.
    func lastSeq() async throws -> Int64 { try await allEvents().last?.seq ?? 0 }
}
