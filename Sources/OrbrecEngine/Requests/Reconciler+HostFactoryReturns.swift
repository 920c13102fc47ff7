public import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// A return request as HostFactory's requestReturnMachines makes one. Unlike `returnMachines`
    /// it takes machines their provider already took back too: HostFactory learns of those from
    /// getReturnRequests and then returns them, and the request it is answered must complete
    /// (they are already gone, so at once). A retry naming only machines one return request
    /// holds already answers that request (`created` false) rather than refusing them.
    public func returnMachinesAdoptingReclaimed(_ machines: [String], actor: String) async throws -> (id: String, machines: [String], created: Bool) {
        let named = Array(Set(machines)).sorted()
        guard !named.isEmpty else { throw MachineRequestRefused(.invalidCount, "a return request names at least one machine") }
        var unknown: [String] = []
        for id in named where try await store.machine(id: id) == nil { unknown.append(id) }
        guard unknown.isEmpty else {
            throw MachineRequestRefused(.unknownMachine, "not a machine this state knows: \(unknown.joined(separator: ", "))")
        }
        // Named by a return request already: asked back by name, or a reclaim that request adopted.
        let asked = try await store.machineReturns(machines: named).filter { $0.reason == .returned || $0.id != $0.demandId }
        let earlier = Set(asked.map(\.id))
        if asked.count == named.count, earlier.count == 1, let id = earlier.first {
            return (id, named, false)
        }
        let id = Identifiers.request(RequestKind.return.idPrefix)
        let recorded = try await store.recordReturnAdoptingReclaimed(id: id, machines: named, actor: actor, at: clock.now())
        guard !recorded.isEmpty else {
            throw MachineRequestRefused(.alreadyReturning, "every machine named is being returned already: \(named.joined(separator: ", "))")
        }
        return (id, recorded, true)
    }

    /// Of `machines`, those gone from their provider that no return request has named: taken
    /// back and not replaced (a reclaimed spot instance, a process killed behind orbrec's back),
    /// or ended without being asked back. What HostFactory's getReturnRequests reports; a machine
    /// the state does not know is not among them.
    public func machinesTakenBack(among machines: [String]) async throws -> [String] {
        let given = Dictionary(try await store.machineReturns(machines: machines).map { ($0.machineId, $0) }, uniquingKeysWith: { first, _ in first })
        var gone: [String] = []
        for id in machines {
            guard let record = try await store.machine(id: id) else { continue }
            if let row = given[id] {
                if row.reason == .reclaimed && row.id == row.demandId { gone.append(id) }
            } else if record.state == .lost || record.state == .returned {
                gone.append(id)
            }
        }
        return gone
    }
}
