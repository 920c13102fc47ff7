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

    /// A return request as the API and MCP take it (`returnMachinesChecked`), admitted one at a
    /// time within the process as machine requests are.
    public func admitReturn(_ machines: [String], configured: DesiredState, actor: String) async throws -> (id: String, machines: [String]) {
        try await RequestAdmission.oneAtATime { try await self.returnMachinesChecked(machines, configured: configured, actor: actor) }
    }

    /// A return request as the API and MCP take it: every machine named must be one the state
    /// holds, and the plan of their returns must pass the policies (there is no override from
    /// there, unlike `machines return --policy-override`); then it is journaled as
    /// `returnMachines` journals it.
    public func returnMachinesChecked(_ machines: [String], configured: DesiredState, actor: String) async throws
        -> (id: String, machines: [String]) {
        // Checked before the policies: a plan for machines the state does not hold says nothing.
        let held = Set(try await store.activeMachines().map(\.id))
        let unknown = machines.filter { !held.contains($0) }
        guard unknown.isEmpty else {
            throw MachineRequestRefused(.unknownMachine, "not a machine this state holds: \(unknown.joined(separator: ", "))")
        }
        let (policy, _) = try await returnPolicy(machines, configured: configured)
        if policy.blocks(overridden: false) {
            let denials = policy.blocking.map { "\($0.policy)/\($0.rule): \($0.message)" }
            throw MachineRequestRefused(.policyDenied, "a policy denies the return: " + denials.joined(separator: "; "))
        }
        return try await returnMachines(machines, actor: actor)
    }

    /// The fleets that hold `machines` now: what a pass must look at to return them.
    public func fleets(holding machines: [String]) async throws -> Set<String> {
        let named = Set(machines)
        return Set(try await store.activeMachines().filter { named.contains($0.id) }.map(\.fleet))
    }
}
