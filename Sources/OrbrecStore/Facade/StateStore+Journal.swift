public import OrbrecCore
internal import Synchronization

extension StateStore {
    /// Writes the intent of actions before any of them takes effect (state `planned`).
    ///
    /// `causedBy` links actions to the workflow run steps that asked for them (action id →
    /// run id and step), journaled in the same transaction.
    public func recordIntent(_ actions: [ActionRecord], causedBy steps: [String: (run: String, step: String)] = [:]) async throws {
        try await backend.recordIntent(actions, causedBy: steps)
    }

    /// Marks an action as being issued, together with the requests and machines it is about
    /// to create or return, in one transaction, before any adapter is called.
    public func markIssuing(actionID: String, requests: [RequestIntent], newMachines: [MachineRecord],
                            returningMachines: [String], at now: Instant) async throws {
        let logs = machineLogLocation.withLock { $0 }
        let stamped = newMachines.map { machine in
            var machine = machine
            if machine.logLocation == nil, let logs { machine.logLocation = "\(logs)/\(machine.id).log" }
            return machine
        }
        try await backend.markIssuing(actionID: actionID, requests: requests, newMachines: stamped, returningMachines: returningMachines, at: now)
    }

    /// Records how one request ended, with each machine's outcome, in one transaction.
    public func finishRequest(id requestID: String, status: RequestStatus, message: String,
                              machineUpdates: [MachineUpdate], at now: Instant) async throws {
        try await backend.finishRequest(id: requestID, status: status, message: message, machineUpdates: machineUpdates, at: now)
    }

    /// Records how an issued action ended.
    public func finishAction(id actionID: String, state: ActionRecord.State, error: String?, at now: Instant) async throws {
        try await backend.finishAction(id: actionID, state: state, error: error, at: now)
    }

    /// Marks actions that never started as cancelled (an apply that stopped early).
    /// Runs to its end even when the calling task is cancelled: it is the clean-up of a stop.
    public func cancelPlannedActions(reason: String, at now: Instant) async throws {
        let backend = self.backend
        try await Task.detached { try await backend.cancelPlannedActions(reason: reason, at: now) }.value
    }

    /// Actions left `issuing` by a process that stopped while calling an adapter.
    public func interruptedActions() async throws -> [ActionRecord] {
        try await backend.interruptedActions()
    }

    /// The requests an action made.
    public func requests(ofAction actionID: String) async throws -> [RequestRecord] {
        try await backend.requests(ofAction: actionID)
    }

    public func actions(resource: ResourceID? = nil, limit: Int? = nil) async throws -> [ActionRecord] {
        try await backend.actions(resource: resource, limit: limit)
    }

    public func action(id: String) async throws -> ActionRecord? {
        try await backend.action(id: id)
    }

    public func events(after seq: Int64 = 0, limit: Int = 1000) async throws -> [EventRecord] {
        try await backend.events(after: seq, limit: limit)
    }
}

/// A request to write before its effect, with its machines.
public struct RequestIntent: Sendable, Hashable {
    public var request: RequestRecord
    public var machines: [RequestMachineRecord]

    public init(request: RequestRecord, machines: [RequestMachineRecord]) {
        self.request = request
        self.machines = machines
    }
}

/// A machine's new state after an adapter call or an observation.
public struct MachineUpdate: Sendable, Hashable {
    public var machineID: String
    public var state: MachineState
    public var providerID: String?
    public var message: String

    public init(machineID: String, state: MachineState, providerID: String? = nil, message: String = "") {
        self.machineID = machineID
        self.state = state
        self.providerID = providerID
        self.message = message
    }
}
