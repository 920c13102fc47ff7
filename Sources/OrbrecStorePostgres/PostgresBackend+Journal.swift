package import OrbrecCore
package import OrbrecStore
internal import PostgresNIO

extension PostgresBackend {
    /// Writes the intent of actions before any of them takes effect (state `planned`).
    ///
    /// `causedBy` links actions to the workflow run steps that asked for them (action id →
    /// run id and step), journaled in the same transaction.
    package func recordIntent(_ actions: [ActionRecord], causedBy steps: [String: (run: String, step: String)] = [:]) async throws {
        try await write { tx in
            if !steps.isEmpty {
                var rows = JSONRows()
                for (actionID, cause) in steps {
                    rows.append([("run_id", .text(cause.run)), ("step", .text(cause.step)), ("action_id", .text(actionID))])
                }
                try await tx.execute("""
                    INSERT INTO workflow_step_actions (run_id, step, action_id)
                    SELECT * FROM jsonb_to_recordset(\(rows.json)::jsonb) AS t(run_id text, step text, action_id text)
                    ON CONFLICT DO NOTHING
                    """)
            }
            try await tx.insert(actions, into: "actions")
            for action in actions {
                tx.appendEvent(at: action.createdAt, resource: action.resource.description, subject: "action/\(action.id)",
                               from: nil, to: ActionRecord.State.planned.rawValue, cause: "\(action.verb.rawValue) \(action.reason)")
            }
        }
    }

    /// Marks an action as being issued, together with the requests and machines it is about
    /// to create or return, in one transaction, before any adapter is called.
    package func markIssuing(actionID: String, requests: [RequestIntent], newMachines: [MachineRecord],
                             returningMachines: [String], at now: Instant) async throws {
        try await write { tx in
            try await transition(tx, actionID: actionID, to: .issuing, error: nil, at: now, requestID: requests.first?.request.id)
            for intent in requests {
                try await tx.insert(intent.request, into: "requests")
                for machine in intent.machines { try await tx.insert(machine, into: "request_machines") }
                tx.appendEvent(at: now, resource: intent.request.resource.description, subject: "request/\(intent.request.id)",
                               from: nil, to: intent.request.status.rawValue,
                               cause: "\(intent.request.kind.rawValue) for \(intent.machines.count) machine(s)")
            }
            for machine in newMachines {
                try await tx.insert(machine, into: "machines")
                tx.appendEvent(at: now, resource: ResourceID(.fleet, machine.fleet).description, subject: "machine/\(machine.id)",
                               from: nil, to: machine.state.rawValue, cause: "requested by \(machine.requestId)")
            }
            for id in returningMachines {
                try await setMachineState(tx, id: id, to: .terminating, message: "being returned", at: now, cause: "action \(actionID)")
            }
        }
    }

    /// Records how one request ended, with each machine's outcome, in one transaction.
    package func finishRequest(id requestID: String, status: RequestStatus, message: String,
                               machineUpdates: [MachineUpdate], at now: Instant) async throws {
        try await write { tx in
            for update in machineUpdates {
                try await setMachineState(tx, id: update.machineID, to: update.state, message: update.message, at: now,
                                          cause: requestID, providerID: update.providerID)
                try await tx.execute("""
                    UPDATE request_machines SET state = \(update.state.rawValue), message = \(update.message)
                    WHERE request_id = \(requestID) AND machine_id = \(update.machineID)
                    """)
            }
            try await finishRequest(tx, id: requestID, status: status, message: message, at: now)
        }
    }

    /// Records how an issued action ended.
    package func finishAction(id actionID: String, state: ActionRecord.State, error: String?, at now: Instant) async throws {
        try await write { tx in try await transition(tx, actionID: actionID, to: state, error: error, at: now, requestID: nil) }
    }

    /// Marks actions that never started as cancelled (an apply that stopped early).
    package func cancelPlannedActions(reason: String, at now: Instant) async throws {
        try await write { tx in
            // In insertion order, as SQLite's rowid gives them, so the events come in that order.
            let planned = try await tx.values(String.self, """
                SELECT id FROM actions WHERE state = \(ActionRecord.State.planned.rawValue) ORDER BY seq
                """)
            for actionID in planned {
                try await transition(tx, actionID: actionID, to: .cancelled, error: reason, at: now, requestID: nil)
            }
        }
    }

    /// Actions left `issuing` by a process that stopped while calling an adapter.
    package func interruptedActions() async throws -> [ActionRecord] {
        try await read { tx in
            try await tx.fetchAll(ActionRecord.self, """
                SELECT * FROM actions WHERE state = \(ActionRecord.State.issuing.rawValue) ORDER BY created_at, seq
                """)
        }
    }

    /// The requests an action made.
    package func requests(ofAction actionID: String) async throws -> [RequestRecord] {
        try await read { tx in try await tx.fetchAll(RequestRecord.self, "SELECT * FROM requests WHERE action_id = \(actionID) ORDER BY id") }
    }

    package func actions(resource: ResourceID? = nil, limit: Int? = nil) async throws -> [ActionRecord] {
        var sql = "SELECT * FROM actions"
        var values: [RowEncoder.Value] = []
        if let resource {
            values.append(.text(resource.description))
            sql += " WHERE resource = $\(values.count)"
        }
        sql += " ORDER BY created_at DESC, seq DESC"
        if let limit {
            values.append(.integer(Int64(limit)))
            sql += " LIMIT $\(values.count)"
        }
        return try await read { [sql, values] tx in
            try await tx.rows(sql: sql, values).map { try RowDecoder.decode(ActionRecord.self, from: $0) }
        }
    }

    package func action(id: String) async throws -> ActionRecord? {
        try await read { tx in try await tx.fetchOne(ActionRecord.self, "SELECT * FROM actions WHERE id = \(id)") }
    }

    package func events(after seq: Int64 = 0, limit: Int = 1000) async throws -> [EventRecord] {
        try await read { tx in
            try await tx.fetchAll(EventRecord.self, "SELECT * FROM events WHERE seq > \(seq) ORDER BY seq LIMIT \(limit)")
        }
    }
}
