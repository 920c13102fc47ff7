public import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// Every template of the configuration with the room its `maxMachines` leaves, counted as
    /// `requestMachines` counts it.
    public func templateOffers(_ configured: DesiredState) async throws -> [TemplateOffer] {
        TemplateOffer.all(configured: configured, effective: try await effectiveDesired(configured))
    }

    /// A machine request as the API, MCP and the CLI take it: `requestMachines`, admitted one at
    /// a time within the process (`RequestAdmission`), so two checked side by side cannot both
    /// take the last room. A key that made another request is refused (`idempotency_key_reused`)
    /// whether it was seen before or journaled by another caller meanwhile.
    public func admitMachineRequest(template: String, count: Int, configured: DesiredState, actor: String,
                                    idempotencyKey: String?) async throws -> (demand: MachineDemand, created: Bool) {
        try await RequestAdmission.oneAtATime {
            try await self.requestMachines(template: template, count: count, configured: configured, actor: actor,
                                           idempotencyKey: idempotencyKey)
        }
    }

    /// A return request as the CLI, the API and MCP take it (`returnMachinesChecked`), admitted
    /// one at a time within the process as machine requests are.
    public func admitReturn(_ machines: [String], configured: DesiredState, actor: String,
                            policyOverride: String? = nil) async throws -> AdmittedReturn {
        try await RequestAdmission.oneAtATime {
            try await self.returnMachinesChecked(machines, configured: configured, actor: actor, policyOverride: policyOverride)
        }
    }

    /// Machine requests given back whole as the CLI takes them (`machines return --request`,
    /// `--all --template`), admitted one at a time within the process: the machines they hold
    /// pass the same check as a return of chosen machines, then the requests are withdrawn and
    /// what they hold is journaled as returning (`withdrawRequests`).
    public func admitWithdrawal(_ requests: [String], configured: DesiredState, actor: String,
                                policyOverride: String? = nil) async throws -> AdmittedWithdrawal {
        try await RequestAdmission.oneAtATime {
            for id in requests where try await self.store.demand(id: id) == nil {
                throw MachineRequestRefused(.unknownRequest, "no machine request \(id)")
            }
            let wanted = Set(requests)
            let held = try await self.store.activeMachines().filter { wanted.contains($0.fleet) && $0.state.isHeld }.map(\.id)
            // A request that holds nothing is withdrawn without a plan to judge.
            let judged: (report: PolicyReport, overridden: Bool) = held.isEmpty ? (PolicyReport(), false)
                : try await self.judgeReturn(held, configured: configured, actor: actor, policyOverride: policyOverride)
            let withdrawn = try await self.withdrawRequests(requests, actor: actor)
            return AdmittedWithdrawal(requests: requests, returnID: withdrawn.returnID, machines: withdrawn.machines,
                                      policy: judged.report, overridden: judged.overridden)
        }
    }

    /// A return request: every machine named must be one the state holds (`unknown-machine`),
    /// and the plan of their returns must pass the policies (`policy-denied`, with the report);
    /// `policyOverride` (the CLI's `--policy-override`; the API and MCP have none) lets
    /// soft-mandatory violations through and is journaled with `actor` and the reason. Then it
    /// is journaled as `returnMachines` journals it.
    public func returnMachinesChecked(_ machines: [String], configured: DesiredState, actor: String,
                                      policyOverride: String? = nil) async throws -> AdmittedReturn {
        // Checked before the policies: a plan for machines the state does not hold says nothing.
        let held = Set(try await store.activeMachines().map(\.id))
        let unknown = machines.filter { !held.contains($0) }
        guard unknown.isEmpty else {
            throw MachineRequestRefused(.unknownMachine, "not a machine this state holds: \(unknown.joined(separator: ", "))")
        }
        let judged = try await judgeReturn(machines, configured: configured, actor: actor, policyOverride: policyOverride)
        let journaled = try await returnMachines(machines, actor: actor)
        return AdmittedReturn(id: journaled.id, machines: journaled.machines, policy: judged.report, overridden: judged.overridden)
    }

    /// What the policies say of returning `machines`: refused (`policy-denied`, carrying the
    /// report) when a blocking violation is left that `policyOverride` does not lift (a
    /// hard-mandatory one never is); when it lifts soft-mandatory ones, the override is
    /// journaled first, so the pass that returns the machines (this process's or a daemon's)
    /// finds it for this configuration.
    private func judgeReturn(_ machines: [String], configured: DesiredState, actor: String,
                             policyOverride: String?) async throws -> (report: PolicyReport, overridden: Bool) {
        let (policy, revision) = try await returnPolicy(machines, configured: configured)
        if policy.blocks(overridden: policyOverride != nil) {
            let left = policyOverride == nil ? policy.blocking : policy.hardBlocking
            let denials = left.map { "\($0.policy)/\($0.rule): \($0.message)" }
            throw MachineRequestRefused(.policyDenied, "a policy denies the return: " + denials.joined(separator: "; "), policy: policy)
        }
        guard let policyOverride, policy.blocking.contains(where: \.isOverridable) else { return (policy, false) }
        try await recordPolicyOverride(policy, reason: policyOverride, configRevision: revision, actor: actor)
        return (policy, true)
    }

    /// The fleets that hold `machines` now: what a pass must look at to return them.
    public func fleets(holding machines: [String]) async throws -> Set<String> {
        let named = Set(machines)
        return Set(try await store.activeMachines().filter { named.contains($0.id) }.map(\.fleet))
    }
}
