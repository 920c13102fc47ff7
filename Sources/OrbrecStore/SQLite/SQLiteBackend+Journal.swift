package import OrbrecCore
internal import GRDB

extension SQLiteBackend {
    /// Writes the intent of actions before any of them takes effect (state `planned`).
    ///
    /// `causedBy` links actions to the workflow run steps that asked for them (action id →
    /// run id and step), journaled in the same transaction.
    package func recordIntent(_ actions: [ActionRecord], causedBy steps: [String: (run: String, step: String)] = [:]) async throws {
        try await write { db in
            for (actionID, cause) in steps {
                try db.execute(sql: "INSERT OR IGNORE INTO workflow_step_actions (run_id, step, action_id) VALUES (?, ?, ?)",
                               arguments: [cause.run, cause.step, actionID])
            }
            for action in actions {
                try action.insert(db)
                try EventRecord(at: action.createdAt, resource: action.resource.description, subject: "action/\(action.id)",
                                fromState: nil, toState: ActionRecord.State.planned.rawValue,
                                cause: "\(action.verb.rawValue) \(action.reason)").append(to: db)
            }
        }
    }

    /// Marks an action as being issued, together with the requests and machines it is about
    /// to create or return, in one transaction, before any adapter is called.
    package func markIssuing(actionID: String, requests: [RequestIntent], newMachines: [MachineRecord],
                            returningMachines: [String], at now: Instant) async throws {
        try await write { db in
            try transition(db, actionID: actionID, to: .issuing, error: nil, at: now, requestID: requests.first?.request.id)
            for intent in requests {
                try intent.request.insert(db)
                for machine in intent.machines { try machine.insert(db) }
                try EventRecord(at: now, resource: intent.request.resource.description, subject: "request/\(intent.request.id)",
                                fromState: nil, toState: intent.request.status.rawValue,
                                cause: "\(intent.request.kind.rawValue) for \(intent.machines.count) machine(s)").append(to: db)
            }
            for machine in newMachines {
                try machine.insert(db)
                try EventRecord(at: now, resource: ResourceID(.fleet, machine.fleet).description, subject: "machine/\(machine.id)",
                                fromState: nil, toState: machine.state.rawValue, cause: "requested by \(machine.requestId)").append(to: db)
            }
            for id in returningMachines {
                try setMachineState(db, id: id, to: .terminating, message: "being returned", at: now, cause: "action \(actionID)")
            }
        }
    }

    /// Records how one request ended, with each machine's outcome, in one transaction.
    package func finishRequest(id requestID: String, status: RequestStatus, message: String,
                              machineUpdates: [MachineUpdate], at now: Instant) async throws {
        try await write { db in
            for update in machineUpdates {
                try setMachineState(db, id: update.machineID, to: update.state, message: update.message, at: now,
                                    cause: requestID, providerID: update.providerID)
                try db.execute(sql: "UPDATE request_machines SET state = ?, message = ? WHERE request_id = ? AND machine_id = ?",
                               arguments: [update.state.rawValue, update.message, requestID, update.machineID])
            }
            try finishRequest(db, id: requestID, status: status, message: message, at: now)
        }
    }

    /// Records how an issued action ended.
    package func finishAction(id actionID: String, state: ActionRecord.State, error: String?, at now: Instant) async throws {
        try await write { db in try transition(db, actionID: actionID, to: state, error: error, at: now, requestID: nil) }
    }

    /// Marks actions that never started as cancelled (an apply that stopped early).
    package func cancelPlannedActions(reason: String, at now: Instant) async throws {
        try await write { db in
            let planned = try ActionRecord.filter(Column("state") == ActionRecord.State.planned.rawValue).fetchAll(db)
            for action in planned {
                try transition(db, actionID: action.id, to: .cancelled, error: reason, at: now, requestID: nil)
            }
        }
    }

    /// Actions left `issuing` by a process that stopped while calling an adapter.
    package func interruptedActions() async throws -> [ActionRecord] {
        try await read { db in
            try ActionRecord.filter(Column("state") == ActionRecord.State.issuing.rawValue).order(Column("created_at")).fetchAll(db)
        }
    }

    /// The requests an action made.
    package func requests(ofAction actionID: String) async throws -> [RequestRecord] {
        try await read { db in try RequestRecord.filter(Column("action_id") == actionID).order(Column("id")).fetchAll(db) }
    }

    package func actions(resource: ResourceID? = nil, limit: Int? = nil) async throws -> [ActionRecord] {
        try await read { db in
            var request = ActionRecord.order(Column("created_at").desc, Column("rowid").desc)
            if let resource { request = request.filter(Column("resource") == resource.description) }
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }

    package func action(id: String) async throws -> ActionRecord? {
        try await read { db in try ActionRecord.fetchOne(db, key: id) }
    }

    package func events(after seq: Int64 = 0, limit: Int = 1000) async throws -> [EventRecord] {
        try await read { db in
            try EventRecord.filter(Column("seq") > seq).order(Column("seq")).limit(limit).fetchAll(db)
        }
    }

    func transition(_ db: Database, actionID: String, to state: ActionRecord.State, error: String?, at now: Instant,
                    requestID: String?) throws {
        guard var action = try ActionRecord.fetchOne(db, key: actionID) else { return }
        let from = action.state
        action.state = state
        action.error = error ?? action.error
        action.requestId = requestID ?? action.requestId
        action.updatedAt = now
        try action.update(db)
        try EventRecord(at: now, resource: action.resource.description, subject: "action/\(actionID)",
                        fromState: from.rawValue, toState: state.rawValue, cause: error ?? action.reason.description).append(to: db)
    }
}
