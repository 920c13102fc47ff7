public import OrbrecCore

extension StateStore {
    /// Journals a machine request before anything acts on it. With an `idempotencyKey` already
    /// seen, answers the request that key made (`created` false) and asks for nothing.
    public func recordDemand(_ demand: MachineDemand, idempotencyKey: String? = nil,
                             at now: Instant) async throws -> (demand: MachineDemand, created: Bool) {
        let (recorded, created) = try await backend.recordDemand(demand, idempotencyKey: idempotencyKey, at: now)
        return (recorded, created)
    }

    /// Machine requests, oldest first; `openOnly` keeps those that still want machines or hold some.
    public func demands(openOnly: Bool = true) async throws -> [MachineDemand] {
        try await backend.demands(openOnly: openOnly)
    }

    public func demand(id: String) async throws -> MachineDemand? {
        try await backend.demand(id: id)
    }

    /// Withdraws machine requests whole (all of them when `ids` is nil): they want nothing more,
    /// and what they hold is returned by the next plan. Answers those closed now.
    @discardableResult
    public func closeDemands(ids: [String]? = nil, cause: String = "withdrawn: destroy", at now: Instant) async throws -> [String] {
        try await backend.closeDemands(ids: ids, cause: cause, at: now)
    }

    /// The machine request an idempotency key made, if it made one.
    public func demand(idempotencyKey: String) async throws -> MachineDemand? {
        try await backend.demand(idempotencyKey: idempotencyKey)
    }

    /// Journals that `machines` are given back under `id`; a machine given back before is left
    /// out. Answers the machines recorded now.
    @discardableResult
    public func recordReturn(id: String, machines: [String], reason: MachineReturnRecord.Reason = .returned, actor: String,
                             at now: Instant) async throws -> [String] {
        try await backend.recordReturn(id: id, machines: machines, reason: reason, actor: actor, at: now)
    }

    public func machineReturns(id: String? = nil, demand: String? = nil, machines: [String]? = nil) async throws -> [MachineReturnRecord] {
        try await backend.machineReturns(id: id, demand: demand, machines: machines)
    }

    /// Machines return requests name that are still held: every plan returns them.
    public func pendingReturns() async throws -> Set<String> {
        try await backend.pendingReturns()
    }
}
