public import OrbrecCore

extension HostFactoryProvider {
    /// Asks the plugin about every request of `owner` still holding machines, then which of
    /// its machines the cloud is taking back, and writes what it said into the ledger.
    func refresh(_ file: LedgerFile, owner: String) async throws(ProviderError) {
        let ledger = file.ledger
        let creates = ledger.orders.filter { $0.owner == owner && $0.failure == nil && !$0.isOver }.compactMap(\.requestID)
        let returns = ledger.returns.filter { item in
            item.owner == owner && item.failure == nil && item.machines.keys.contains { !item.done.contains($0) && item.failed[$0] == nil }
        }.compactMap(\.requestID)
        let asked = Array(Set(creates + returns)).sorted()
        if !asked.isEmpty {
            let answer = try await plugin.call(.getRequestStatus, input: HostFactoryStatusQuery(requestIDs: asked), as: HostFactoryRequestStatus.self)
            try file.update { $0.apply(answer) }
        }
        let held = file.ledger.heldMachines(owner: owner)
        if !held.isEmpty && plugin.hasScript(.getReturnRequests) {
            let answer = try await plugin.call(.getReturnRequests, input: HostFactoryMachineList(machines: held), as: HostFactoryReturnRequests.self)
            try file.update { $0.apply(answer, owner: owner) }
        }
        let now = clock.now()
        try file.update { $0.prune(now: now) }
    }
}
