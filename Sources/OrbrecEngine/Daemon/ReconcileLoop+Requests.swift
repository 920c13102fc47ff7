public import OrbrecCore

/// Machine requests and returns taken by the daemon (its API and MCP): journaled against the
/// configuration in force, then acted on by the next pass, which starts at once.
extension ReconcileLoop {
    /// The configuration in force; nil until a valid one is loaded.
    public var configuration: DesiredState? { desired }

    /// Journals a request for `count` machines of `template` (as `Reconciler.admitMachineRequest`)
    /// and has the loop provision it now.
    public func requestMachines(template: String, count: Int, actor: String, idempotencyKey: String?) async throws
        -> (demand: MachineDemand, created: Bool) {
        let configured = try inForce()
        let answer = try await reconciler.admitMachineRequest(template: template, count: count, configured: configured, actor: actor,
                                                              idempotencyKey: idempotencyKey)
        requestsJournaled(fleets: [answer.demand.id])
        return answer
    }

    /// Journals a return request (as `Reconciler.admitReturn`) and has the loop return
    /// the machines now.
    public func returnMachines(_ machines: [String], actor: String) async throws -> (id: String, machines: [String]) {
        let configured = try inForce()
        let fleets = try await reconciler.fleets(holding: machines)
        let answer = try await reconciler.admitReturn(machines, configured: configured, actor: actor)
        requestsJournaled(fleets: fleets)
        return (answer.id, answer.machines)
    }

    /// Each request's report (machine requests, return requests, and requests a plan's action made).
    public nonisolated func requestReports(_ ids: [String]) async throws -> [MachineRequestReport] {
        try await reconciler.requestReports(ids)
    }

    /// The templates in force with the room their `maxMachines` leaves.
    public func templateOffers() async throws -> [TemplateOffer] {
        try await reconciler.templateOffers(try inForce(allowStopping: true))
    }

    /// Has the loop look at `fleets` at once: requests journaled by another process of this
    /// daemon (MCP over HTTP) are acted on without waiting for the next periodic look.
    public func requestsJournaled(fleets: Set<String>) {
        guard desired != nil, !isStopping else { return }
        let now = schedule.now()
        for name in fleets { queue.add(ResourceID(.fleet, name), .change, now: now) }
        wakeup.signal()
    }

    private func inForce(allowStopping: Bool = false) throws -> DesiredState {
        guard let desired else { throw MachineRequestRefused(.notReady, "no valid configuration is loaded; see /readyz") }
        if isStopping && !allowStopping { throw MachineRequestRefused(.notReady, "the daemon is stopping") }
        return desired
    }
}
