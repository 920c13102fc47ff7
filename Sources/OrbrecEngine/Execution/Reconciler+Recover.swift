public import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// Resolves actions a stopped process left `issuing`: what the providers hold with the
    /// action's tags is adopted, what they do not hold was never made. Nothing is re-issued
    /// here: the next plan, level-triggered, makes up any difference. Returns one line per
    /// resolved action.
    public func recoverInterrupted(desired: DesiredState) async throws -> [String] {
        let interrupted = try await store.interruptedActions()
        return try await withCleanup {
            guard !interrupted.isEmpty else { return [] }
            var lines: [String] = []
            let recorded = try await store.activeMachines()
            let observed = await observe(try registry(for: desired), recorded: recorded)
            let seen = Dictionary(observed.machines.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let (attempts, _) = await observeAttempts(try schedulers(for: desired), open: nil)
            for action in interrupted where action.resource.kind == .taskPool {
                // Attempts the scheduler knows were started: record their jobs. The others are settled
                // as lost (infra, not counted) by the next observation, and retried.
                let rows = try await store.attempts(pool: action.resource.name).filter { $0.actionId == action.id && $0.state == .submitting }
                let started = rows.compactMap { row in
                    attempts.first { $0.task == TaskID(pool: row.pool, key: row.key) && $0.attempt == row.attempt }
                        .map { (key: row.key, attempt: row.attempt, jobID: $0.jobID) }
                }
                try await store.markSubmitted(pool: action.resource.name, started: started, at: clock.now())
                let summary = "interrupted; \(started.count) of \(rows.count) attempt(s) found running or ended and adopted"
                try await store.finishAction(id: action.id, state: started.count == rows.count ? .succeeded : .failed,
                                             error: started.count == rows.count ? nil : summary, at: clock.now())
                lines.append("recovered \(action.id) (\(action.verb.rawValue) \(action.resource)): \(summary)")
            }
            for action in interrupted where action.resource.kind != .taskPool {
                var complete = true
                var notes: [String] = []
                for request in try await store.requests(ofAction: action.id) where !request.status.isFinished {
                    let machines = try await store.requestMachines(requestID: request.id)
                    let first: MachineRecord? = if let machine = machines.first { try? await store.machine(id: machine.machineId) } else { nil }
                    if let provider = first?.provider,
                       observed.unreachableProviders[provider] != nil {
                        complete = false
                        notes.append("\(request.id): provider \(provider) unreachable, left in progress")
                        continue
                    }
                    var updates: [MachineUpdate] = []
                    switch request.kind {
                    case .provision:
                        for machine in machines {
                            if let found = seen[machine.machineId], found.state != .returned {
                                updates.append(MachineUpdate(machineID: machine.machineId, state: found.state, providerID: found.providerID,
                                                             message: "adopted after an interrupted apply"))
                            } else {
                                updates.append(MachineUpdate(machineID: machine.machineId, state: .failed,
                                                             message: Self.stoppedBeforeProvider))
                            }
                        }
                    case .return:
                        for machine in machines {
                            let stillThere = seen[machine.machineId].map { $0.state != .lost && $0.state != .returned } ?? false
                            updates.append(MachineUpdate(machineID: machine.machineId, state: stillThere ? .terminating : .returned,
                                                         message: stillThere ? "return interrupted; still held" : "returned"))
                        }
                    }
                    let good = updates.filter { $0.state != .failed && $0.state != .terminating }.count
                    let status = RequestStatus.finished(succeeded: good, total: updates.count)
                    complete = complete && status == .complete
                    let message = "interrupted; recovered \(good) of \(updates.count) machine(s) by their tags"
                    notes.append("\(request.id) \(status.rawValue): \(message)")
                    try await store.finishRequest(id: request.id, status: status, message: message, machineUpdates: updates, at: clock.now())
                }
                let summary = notes.isEmpty ? "interrupted before any request" : notes.joined(separator: "; ")
                try await store.finishAction(id: action.id, state: complete ? .succeeded : .failed,
                                             error: complete ? nil : "interrupted: \(summary)", at: clock.now())
                lines.append("recovered \(action.id) (\(action.verb.rawValue) \(action.resource)): \(summary)")
            }
            return lines
        } cleanup: {
            try? await store.cancelPlannedActions(reason: "the apply that planned it stopped before it started", at: clock.now())
        }
    }

    /// What a machine an interrupted apply never got to make says: a stop of orbrec, not a
    /// failure of its provider, so a machine request does not count it against itself.
    static let stoppedBeforeProvider = "not created: the apply stopped before the provider made it"
}
