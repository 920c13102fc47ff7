internal import OrbrecCore
internal import OrbrecStore

/// Carries out journaled actions through the provider port: intent is written before
/// every call, the outcome after it, one machine at a time if need be.
struct ActionExecutor: Sendable {
    let store: StateStore
    let registry: ProviderRegistry
    let clock: any Clock
    let desired: DesiredState
    /// Provider handles of the machines in play, from the latest observation and the journal.
    let providerIDs: [String: String]
    /// States of the machines in play before the action, to restore a machine that is kept.
    let machineStates: [String: MachineState]
    let checkpoint: Checkpoint

    func execute(_ scheduled: ScheduledAction) async -> ActionOutcome {
        let action = scheduled.action
        guard let provider = registry[action.provider] else {
            return await fail(scheduled, "provider \(action.provider) is not available", requests: [])
        }
        switch action.verb {
        case .provision:
            return await runProvision(scheduled, provider: provider)
        case .return:
            return await runReturn(scheduled, provider: provider)
        case .replace:
            guard let holder = registry[action.returnProvider ?? action.provider] else {
                return await fail(scheduled, "provider \(action.returnProvider ?? action.provider) is not available", requests: [])
            }
            return await runReplace(scheduled, provider: provider, holder: holder)
        default:
            return await fail(scheduled, "verb \(action.verb.rawValue) is not a machine action", requests: [])
        }
    }

    // MARK: - Verbs

    private func runProvision(_ scheduled: ScheduledAction, provider: any Provider) async -> ActionOutcome {
        do {
            let part = try await provisionIntent(scheduled, count: scheduled.action.count)
            try await store.markIssuing(actionID: scheduled.id, requests: [part.intent], newMachines: part.machines,
                                        returningMachines: [], at: clock.now())
            checkpoint("action.after-issuing")
            let result = try await provision(part, scheduled: scheduled, provider: provider)
            try await store.finishAction(id: scheduled.id, state: result.succeeded ? .succeeded : .failed,
                                         error: result.succeeded ? nil : result.message, at: clock.now())
            return ActionOutcome(id: scheduled.id, action: scheduled.action, succeeded: result.succeeded,
                                 message: result.message, requests: [part.intent.request.id])
        } catch {
            return await fail(scheduled, "journal: \(error)", requests: [])
        }
    }

    private func runReturn(_ scheduled: ScheduledAction, provider: any Provider) async -> ActionOutcome {
        do {
            let intent = returnIntent(scheduled, machines: scheduled.action.machines)
            try await store.markIssuing(actionID: scheduled.id, requests: [intent], newMachines: [],
                                        returningMachines: scheduled.action.machines, at: clock.now())
            checkpoint("action.after-issuing")
            let result = try await giveBack(intent, scheduled: scheduled, provider: provider)
            try await store.finishAction(id: scheduled.id, state: result.succeeded ? .succeeded : .failed,
                                         error: result.succeeded ? nil : result.message, at: clock.now())
            return ActionOutcome(id: scheduled.id, action: scheduled.action, succeeded: result.succeeded,
                                 message: result.message, requests: [intent.request.id])
        } catch {
            return await fail(scheduled, "journal: \(error)", requests: [])
        }
    }

    /// Both requests are journaled before either takes effect. With surge the new machine
    /// comes first and the old one is kept if it fails; without, the old one goes first.
    /// `holder` is the provider that holds the old machine; `provider` makes the new one.
    private func runReplace(_ scheduled: ScheduledAction, provider: any Provider, holder: any Provider) async -> ActionOutcome {
        do {
            let part = try await provisionIntent(scheduled, count: 1)
            let giveBackIntent = returnIntent(scheduled, machines: scheduled.action.machines)
            try await store.markIssuing(actionID: scheduled.id, requests: [part.intent, giveBackIntent], newMachines: part.machines,
                                        returningMachines: scheduled.action.machines, at: clock.now())
            checkpoint("action.after-issuing")
            let requests = [part.intent.request.id, giveBackIntent.request.id]
            let outcome: (succeeded: Bool, message: String)
            if scheduled.action.surgeFirst {
                let made = try await provision(part, scheduled: scheduled, provider: provider)
                if made.succeeded {
                    let returned = try await giveBack(giveBackIntent, scheduled: scheduled, provider: holder)
                    outcome = (returned.succeeded, "\(made.message); \(returned.message)")
                } else {
                    try await store.finishRequest(id: giveBackIntent.request.id, status: .cancelled,
                                                  message: "the replacement failed, so the machine was kept",
                                                  machineUpdates: scheduled.action.machines.map {
                                                MachineUpdate(machineID: $0, state: machineStates[$0] ?? .running, message: "kept: replacement failed")
                                                  }, at: clock.now())
                    outcome = (false, made.message)
                }
            } else {
                let returned = try await giveBack(giveBackIntent, scheduled: scheduled, provider: holder)
                let made = try await provision(part, scheduled: scheduled, provider: provider)
                outcome = (returned.succeeded && made.succeeded, "\(returned.message); \(made.message)")
            }
            try await store.finishAction(id: scheduled.id, state: outcome.succeeded ? .succeeded : .failed,
                                         error: outcome.succeeded ? nil : outcome.message, at: clock.now())
            return ActionOutcome(id: scheduled.id, action: scheduled.action, succeeded: outcome.succeeded,
                                 message: outcome.message, requests: requests)
        } catch {
            return await fail(scheduled, "journal: \(error)", requests: [])
        }
    }

    // MARK: - Requests

    struct ProvisionPart {
        var intent: RequestIntent
        var machines: [MachineRecord]
        var template: TemplateSpec
    }

    private func provisionIntent(_ scheduled: ScheduledAction, count: Int) async throws -> ProvisionPart {
        let action = scheduled.action
        guard let template = desired.templates[action.template] else {
            throw ExecutionError("template \(action.template) is not in the configuration")
        }
        let now = clock.now()
        let requestID = Identifiers.request(RequestKind.provision.idPrefix)
        let machines = try await freshMachineIDs(fleet: action.resource.name, count: count).map { id in
            MachineRecord(id: id, fleet: action.resource.name, template: template.name,
                          templateHash: action.templateHash, provider: action.provider, providerId: nil, actionId: scheduled.id,
                          requestId: requestID, state: .pending, message: "requested", createdAt: now, updatedAt: now)
        }
        let request = RequestRecord(id: requestID, kind: .provision, status: .inProgress, resource: action.resource,
                                    actionId: scheduled.id, message: "\(count) × \(template.name) on \(action.provider)",
                                    createdAt: now, updatedAt: now)
        let requestMachines = machines.map { RequestMachineRecord(requestId: requestID, machineId: $0.id, state: .pending) }
        return ProvisionPart(intent: RequestIntent(request: request, machines: requestMachines), machines: machines, template: template)
    }

    /// `count` machine ids of the fleet, distinct from each other and from every id the
    /// journal holds: five random characters meet again after a few thousand machines of one
    /// fleet, and a repeated id would fail the whole provision.
    private func freshMachineIDs(fleet: String, count: Int) async throws -> [String] {
        var chosen: [String] = []
        var taken: Set<String> = []
        while chosen.count < count {
            var candidates: [String] = []
            while candidates.count < count - chosen.count {
                let id = Identifiers.machine(fleet: fleet)
                if taken.insert(id).inserted { candidates.append(id) }
            }
            let known = try await store.knownMachineIDs(among: candidates)
            chosen += candidates.filter { !known.contains($0) }
        }
        return chosen
    }

    private func returnIntent(_ scheduled: ScheduledAction, machines: [String]) -> RequestIntent {
        let now = clock.now()
        let requestID = Identifiers.request(RequestKind.return.idPrefix)
        let request = RequestRecord(id: requestID, kind: .return, status: .inProgress, resource: scheduled.action.resource,
                                    actionId: scheduled.id, message: "return \(machines.count) machine(s)", createdAt: now, updatedAt: now)
        return RequestIntent(request: request, machines: machines.map {
            RequestMachineRecord(requestId: requestID, machineId: $0, state: .terminating)
        })
    }

    private func provision(_ part: ProvisionPart, scheduled: ScheduledAction, provider: any Provider) async throws -> (succeeded: Bool, message: String) {
        let order = ProvisionOrder(requestID: part.intent.request.id, actionID: scheduled.id, owner: store.stateID,
                                   fleet: scheduled.action.resource.name, template: part.template,
                                   templateHash: scheduled.action.templateHash, machineIDs: part.machines.map(\.id))
        let outcomes = await provider.provision(order)
        checkpoint("action.after-provider")
        let byID = Dictionary(outcomes.map { ($0.machineID, $0) }, uniquingKeysWith: { first, _ in first })
        let updates = part.machines.map { machine -> MachineUpdate in
            guard let outcome = byID[machine.id] else {
                return MachineUpdate(machineID: machine.id, state: .failed, message: "the provider did not answer for this machine")
            }
            if let error = outcome.error {
                return MachineUpdate(machineID: machine.id, state: .failed, message: error.description)
            }
            return MachineUpdate(machineID: machine.id, state: .pending, providerID: outcome.providerID, message: "provisioned")
        }
        let made = updates.filter { $0.state != .failed }.count
        let status = RequestStatus.finished(succeeded: made, total: updates.count)
        let errors = Set(updates.filter { $0.state == .failed }.map(\.message)).sorted()
        let message = errors.isEmpty
            ? "\(made) of \(updates.count) machine(s) provisioned"
            : "\(made) of \(updates.count) machine(s) provisioned: \(errors.joined(separator: "; "))"
        try await store.finishRequest(id: part.intent.request.id, status: status, message: message, machineUpdates: updates, at: clock.now())
        return (status == .complete, message)
    }

    private func giveBack(_ intent: RequestIntent, scheduled: ScheduledAction, provider: any Provider) async throws -> (succeeded: Bool, message: String) {
        let order = ReturnOrder(requestID: intent.request.id, actionID: scheduled.id, owner: store.stateID,
                                machines: intent.machines.map { ReturnOrder.Machine(id: $0.machineId, providerID: providerIDs[$0.machineId]) })
        let outcomes = await provider.returnMachines(order)
        checkpoint("action.after-provider")
        let byID = Dictionary(outcomes.map { ($0.machineID, $0) }, uniquingKeysWith: { first, _ in first })
        let updates = intent.machines.map { machine -> MachineUpdate in
            if let error = byID[machine.machineId]?.error {
                return MachineUpdate(machineID: machine.machineId, state: .terminating, message: error.description)
            }
            guard byID[machine.machineId] != nil else {
                return MachineUpdate(machineID: machine.machineId, state: .terminating, message: "the provider did not answer for this machine")
            }
            return MachineUpdate(machineID: machine.machineId, state: .returned, message: "returned in \(intent.request.id)")
        }
        let returned = updates.filter { $0.state == .returned }.count
        let status = RequestStatus.finished(succeeded: returned, total: updates.count)
        let errors = Set(updates.filter { $0.state != .returned }.map(\.message)).sorted()
        let message = errors.isEmpty
            ? "\(returned) of \(updates.count) machine(s) returned"
            : "\(returned) of \(updates.count) machine(s) returned: \(errors.joined(separator: "; "))"
        try await store.finishRequest(id: intent.request.id, status: status, message: message, machineUpdates: updates, at: clock.now())
        return (status == .complete, message)
    }

    private func fail(_ scheduled: ScheduledAction, _ message: String, requests: [String]) async -> ActionOutcome {
        try? await store.finishAction(id: scheduled.id, state: .failed, error: message, at: clock.now())
        return ActionOutcome(id: scheduled.id, action: scheduled.action, succeeded: false, message: message, requests: requests)
    }
}

struct ExecutionError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
