public import OrbrecCore
public import OrbrecStore

extension Reconciler {
    /// Journals a request for `count` machines of `template` and answers it; the reconciler
    /// fulfils it from then on like a fleet of the files. Refused, with nothing journaled, when
    /// the template is unknown or the request would take it over `maxMachines` or past a policy.
    /// With an `idempotencyKey` already seen, answers the request that key made.
    public func requestMachines(template: String, count: Int, configured: DesiredState, actor: String, replaceLost: Bool? = nil,
                                idempotencyKey: String? = nil) async throws -> (demand: MachineDemand, created: Bool) {
        guard count > 0, count <= MachineDemand.maxCount else {
            throw MachineRequestRefused(.invalidCount, "a machine request asks for 1 to \(MachineDemand.maxCount) machines, not \(count)")
        }
        guard let spec = configured.templates[template] else {
            let known = configured.templates.keys.sorted()
            throw MachineRequestRefused(.unknownTemplate, "no template \(template) in the configuration"
                                            + (known.isEmpty ? "" : "; templates: \(known.joined(separator: ", "))"))
        }
        if let idempotencyKey, let earlier = try await store.demand(idempotencyKey: idempotencyKey) {
            // A retry answers what the first call got; the same key for another request is a mistake.
            guard earlier.template == template, earlier.requested == count else {
                throw MachineRequestRefused(.idempotencyKeyReused, "the idempotency key was used for \(earlier.id) "
                                                + "(\(earlier.requested) of template \(earlier.template)), not for \(count) of \(template)")
            }
            if earlier.closedAt != nil {
                throw MachineRequestRefused(.withdrawn, "\(earlier.id), which this idempotency key made, was withdrawn; ask again with a new key")
            }
            return (earlier, false)
        }
        let now = clock.now()
        let demand = MachineDemand(id: Identifiers.request(RequestKind.provision.idPrefix), template: template, requested: count,
                                   replaceLost: replaceLost ?? spec.replacesLostMachines, actor: actor, createdAt: now)
        try await admit(demand, configured: configured)
        // Two callers with one key at once: the journal keeps the first, and both are answered it.
        let answer = try await store.recordDemand(demand, idempotencyKey: idempotencyKey, at: now)
        checkpoint("request.after-journal")
        guard answer.created else {
            // Another caller journaled a request with this key meanwhile: it answers only a retry of itself.
            guard answer.demand.template == template, answer.demand.requested == count else {
                throw MachineRequestRefused(.idempotencyKeyReused, "the idempotency key was used for \(answer.demand.id) "
                                                + "(\(answer.demand.requested) of template \(answer.demand.template)), not for \(count) of \(template)")
            }
            return answer
        }
        // Judged again now that it is journaled, beside every request journaled before it: two
        // processes (HostFactory calls in parallel) may each have found room for theirs alone. The
        // earlier request keeps the room; a later one that no longer fits is withdrawn and refused.
        do {
            try await admit(answer.demand, configured: configured, journaled: true)
        } catch let refused as MachineRequestRefused {
            try await store.closeDemands(ids: [demand.id], cause: "withdrawn: \(refused.code) once judged beside earlier requests", at: clock.now())
            throw refused
        }
        return answer
    }

    /// Plans as if `demand` were journaled: a plan `maxMachines` refuses or a policy blocks
    /// refuses the request.
    ///
    /// Once `journaled`, requests journaled after it are left out: it is judged beside the ones
    /// before it only, so of two that do not fit together the earlier one stays.
    private func admit(_ demand: MachineDemand, configured: DesiredState, journaled: Bool = false) async throws {
        var snapshot = try await snapshot(of: configured, refresh: false)
        if journaled {
            for later in try await store.demands(openOnly: true) where (later.createdAt, later.id) > (demand.createdAt, demand.id) {
                snapshot.desired.fleets[later.id] = nil
            }
        } else {
            snapshot.desired = snapshot.desired.applying(demands: [demand], returning: [])
        }
        let result: PlanResult
        do {
            result = try plan(snapshot, allowEmpty: true, surgery: PlanSurgery(targets: [ResourceID(.fleet, demand.id)]))
        } catch {
            let limits = error.diagnostics.filter { $0.code == "max-machines" }
            guard limits.isEmpty else {
                // The request's own line says it all (its count and the total); the fleets' lines repeat it.
                let own = limits.filter { $0.message.hasPrefix(ResourceID(.fleet, demand.id).description + " ") }
                throw MachineRequestRefused(.overLimit, (own.isEmpty ? limits : own).map(\.message).joined(separator: "; "))
            }
            return
        }
        // The planner holds back what of a request `maxMachines` has no room for (it waits):
        // a request that would wait from the start is refused instead.
        let own = ResourceID(.fleet, demand.id).description + " "
        let held = result.plan.warnings.filter { $0.code == "request-over-limit" && $0.message.hasPrefix(own) }
        if !held.isEmpty { throw MachineRequestRefused(.overLimit, held.map(\.message).joined(separator: "; ")) }
        if result.policy.blocks(overridden: false) {
            let denials = result.policy.blocking.map { "\($0.policy)/\($0.rule): \($0.message)" }
            throw MachineRequestRefused(.policyDenied, "a policy denies the request: " + denials.joined(separator: "; "))
        }
    }

    /// Journals a return request for `machines` (`ret-…`) and answers its id with the machines it
    /// names. A machine of a machine request leaves it (the request wants one fewer); a machine
    /// of a fleet of the files is replaced by its fleet unless its count drops.
    public func returnMachines(_ machines: [String], actor: String) async throws -> (id: String, machines: [String]) {
        let held = Dictionary(try await store.activeMachines().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let unknown = machines.filter { held[$0] == nil }
        guard unknown.isEmpty else {
            throw MachineRequestRefused(.unknownMachine, "not a machine this state holds: \(unknown.joined(separator: ", "))")
        }
        let id = Identifiers.request(RequestKind.return.idPrefix)
        let recorded = try await store.recordReturn(id: id, machines: Array(Set(machines)).sorted(), actor: actor, at: clock.now())
        guard !recorded.isEmpty else {
            throw MachineRequestRefused(.alreadyReturning, "every machine named is being returned already: \(machines.joined(separator: ", "))")
        }
        return (id, recorded)
    }

    /// Withdraws machine requests whole (every open one when `ids` is nil), before `destroy`
    /// returns what they hold: journaled first, so a destroy that stops half way does not leave
    /// requests that the next apply would provision again.
    @discardableResult
    public func closeRequests(_ ids: [String]? = nil) async throws -> [String] {
        try await store.closeDemands(ids: ids, at: clock.now())
    }

    /// Gives machine requests back whole (`machines return --request`, `--all --template`,
    /// `requests cancel`): each is withdrawn, so it wants nothing more, then what it holds is
    /// named by one return request. Withdrawn first: a stop between the two still returns the
    /// machines (a request that wants none scales down), and never provisions more.
    public func withdrawRequests(_ ids: [String], actor: String) async throws -> (returnID: String?, machines: [String]) {
        for id in ids where try await store.demand(id: id) == nil {
            throw MachineRequestRefused(.unknownRequest, "no machine request \(id)")
        }
        let wanted = Set(ids)
        let held = try await store.activeMachines().filter { wanted.contains($0.fleet) && $0.state.isHeld }.map(\.id).sorted()
        try await store.closeDemands(ids: ids, cause: "withdrawn by \(actor)", at: clock.now())
        guard !held.isEmpty else { return (nil, []) }
        let id = Identifiers.request(RequestKind.return.idPrefix)
        let recorded = try await store.recordReturn(id: id, machines: held, actor: actor, at: clock.now())
        return (recorded.isEmpty ? nil : id, recorded)
    }

    /// The open machine requests of `template`, for `machines return --all --template`.
    public func openRequests(template: String) async throws -> [String] {
        try await store.demands(openOnly: true).filter { $0.template == template }.map(\.id)
    }

    /// Each request's report, in the order asked: a machine request (`req-…` from `machines
    /// request`), a return request (`ret-…`), or a request a plan's action made.
    public func requestReports(_ ids: [String]) async throws -> [MachineRequestReport] {
        var reports: [MachineRequestReport] = []
        var machinesByFleet: [String: [MachineRecord]]?
        for id in ids {
            if let demand = try await store.demand(id: id) {
                if machinesByFleet == nil {
                    machinesByFleet = Dictionary(grouping: try await store.machines(includeFinished: true), by: \.fleet)
                }
                let released = try await store.machineReturns(demand: id)
                let returning = Set(try await store.pendingReturns())
                // A machine an interrupted apply never asked for is not one of the request's: it was asked for again.
                let machines = (machinesByFleet?[id] ?? []).filter { !($0.state == .failed && $0.message == Self.stoppedBeforeProvider) }
                    .map { Self.requested($0, returning: returning.contains($0.id)) }
                reports.append(.provision(demand, machines: machines, failed: released.filter { $0.reason == .failed }.count))
            } else if case let named = try await store.machineReturns(id: id), let first = named.first {
                var machines: [RequestedMachine] = []
                for row in named {
                    if let record = try await store.machine(id: row.machineId) { machines.append(Self.requested(record, returning: true)) }
                }
                reports.append(.returning(id: id, createdAt: first.createdAt, machines: machines))
            } else if let (request, members) = try await store.request(id: id) {
                var machines: [MachineRequestReport.Machine] = []
                for member in members {
                    let record = try await store.machine(id: member.machineId)
                    machines.append(MachineRequestReport.Machine(
                        id: member.machineId, state: member.state,
                        result: request.kind == .return ? (member.state.isFinal ? .succeed : .executing)
                            : MachineRequestReport.result(ofProvision: member.state),
                        addresses: record?.addresses ?? MachineAddresses(), launchedAt: record?.createdAt ?? request.createdAt,
                        message: member.message))
                }
                reports.append(MachineRequestReport(id: request.id, kind: request.kind, status: request.status,
                                                    template: nil, requested: members.count, message: request.message,
                                                    createdAt: request.createdAt, machines: machines))
            } else {
                throw MachineRequestRefused(.unknownRequest, "no request \(id)")
            }
        }
        return reports
    }

    static func requested(_ record: MachineRecord, returning: Bool) -> RequestedMachine {
        RequestedMachine(id: record.id, state: record.state, addresses: record.addresses, createdAt: record.createdAt,
                         message: record.message, returning: returning)
    }

    /// Gives back, for good, the machines of machine requests that cannot be had: those that
    /// failed to start, and those the provider took back when the request does not replace lost
    /// machines. Answers whether anything changed. Runs after each sync, before the plan.
    func settleDemands() async throws -> Bool {
        let demands = try await store.demands(openOnly: true)
        guard !demands.isEmpty else { return false }
        let byID = Dictionary(demands.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let candidates = try await store.machines(includeFinished: true).filter { machine in
            guard let demand = byID[machine.fleet] else { return false }
            // A machine an interrupted apply never asked for is asked for again, as for any fleet.
            return (machine.state == .failed && machine.message != Self.stoppedBeforeProvider)
                || (machine.state == .lost && !demand.replaceLost)
        }
        guard !candidates.isEmpty else { return false }
        let settled = Set(try await store.machineReturns(machines: candidates.map(\.id)).map(\.machineId))
        var changed = false
        for machine in candidates where !settled.contains(machine.id) {
            let reason: MachineReturnRecord.Reason = machine.state == .failed ? .failed : .reclaimed
            let recorded = try await store.recordReturn(id: machine.fleet, machines: [machine.id], reason: reason, actor: actor, at: clock.now())
            changed = changed || !recorded.isEmpty
        }
        return changed
    }

    /// One pass over the given fleets alone: what `machines request` and `machines return` do
    /// when no daemon holds the state. `only` narrows the pass to some of its actions (a return
    /// request returns its machines; their fleet replaces them at its next pass). Call under
    /// the state lock. A policy that blocks the pass, unless overridden for this configuration,
    /// throws `PolicyDenied` and nothing is done.
    public func fulfil(_ fleets: Set<String>, configured: DesiredState, parallelism: Int = 4,
                       only: @Sendable (PlannedAction) -> Bool = { _ in true }) async throws -> [ActionOutcome] {
        let snapshot = try await snapshot(of: configured, sync: true)
        // A request that wants nothing and holds nothing (given back, withdrawn) has nothing to plan.
        let present = Set(snapshot.desired.fleets.keys).union(snapshot.recorded.map(\.fleet))
        let fleets = fleets.intersection(present)
        guard !fleets.isEmpty else { return [] }
        let result = try plan(snapshot, allowEmpty: true, surgery: PlanSurgery(targets: Set(fleets.map { ResourceID(.fleet, $0) })))
        let scheduled = result.scheduled.filter { only($0.action) }
        guard !scheduled.isEmpty else { return [] }
        let denials = try await unresolvedDenials(Self.checkPolicies(Plan(actions: scheduled.map(\.action),
                                                                          configRevision: result.plan.configRevision),
                                                                     snapshot: snapshot),
                                                  revision: result.plan.configRevision)
        if !denials.isEmpty { throw PolicyDenied(report: PolicyReport(violations: denials)) }
        // The providers and templates the pass uses are recorded as applied before any machine
        // exists at them: a later destroy, or a configuration without them, still reaches those
        // machines (what a full apply records; the rest of the configuration is not applied here).
        var used = DesiredState(revision: snapshot.desired.revision)
        for name in fleets {
            guard let fleet = snapshot.desired.fleets[name], let template = snapshot.desired.templates[fleet.template] else { continue }
            used.templates[template.name] = template
            if let provider = snapshot.desired.providers[template.provider] { used.providers[provider.name] = provider }
        }
        if !used.isEmpty { try await store.recordApplied(used, versions: [:], conditions: [:], forget: [], at: clock.now()) }
        return try await execute(scheduled, snapshot: snapshot, parallelism: parallelism)
    }

    /// What the policies say of returning `machines` now (for `machines return` before it
    /// journals anything): the plan of their returns, judged as any plan is.
    public func returnPolicy(_ machines: [String], configured: DesiredState) async throws -> (PolicyReport, revision: String) {
        var snapshot = try await snapshot(of: configured, refresh: false)
        let named = Set(machines)
        snapshot.desired.returning.formUnion(named)
        let fleets = Set(snapshot.recorded.filter { named.contains($0.id) }.map { ResourceID(.fleet, $0.fleet) })
        let result = try plan(snapshot, allowEmpty: true, surgery: PlanSurgery(targets: fleets))
        let returns = result.plan.actions.filter { $0.verb == .return && $0.machines.contains(where: named.contains) }
        let plan = Plan(actions: returns, configRevision: result.plan.configRevision)
        return (Self.checkPolicies(plan, snapshot: snapshot), result.plan.configRevision)
    }
}
