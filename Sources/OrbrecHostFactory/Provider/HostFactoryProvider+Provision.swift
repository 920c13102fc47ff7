public import OrbrecCore

extension HostFactoryProvider {
    /// One requestMachines for the whole order. The order is written to the ledger, with the
    /// call's input, before the script runs; the plugin's request id after it answers. The
    /// machines are pending until getRequestStatus gives them (see `machines(ownedBy:)`).
    ///
    /// A script still running at the plugin's timeout is not killed, since it may be halfway
    /// through making machines: the order stays, its machines pending, and the answer the
    /// script leaves in its output file is adopted by `settleCalls` once it ends.
    public func provision(_ order: ProvisionOrder) async -> [MachineOutcome] {
        do {
            let pending = try await withLedger { file throws(ProviderError) in
                try await self.settleCalls(file)
                return try await self.requestMachines(order, file)
            }
            return order.machineIDs.map { MachineOutcome(machineID: $0, providerID: "pending:\(pending)") }
        } catch {
            return order.machineIDs.map { MachineOutcome(machineID: $0, error: error) }
        }
    }

    /// The plugin's request id, or the call's name while its script still runs.
    private func requestMachines(_ order: ProvisionOrder, _ file: LedgerFile) async throws(ProviderError) -> String {
        let call = order.requestID
        if let known = file.ledger.orders.first(where: { $0.call == call }) {
            // Asked before (an order repeated after an answer was lost): what it got stands.
            if let requestID = known.requestID { return requestID }
            if let failure = known.failure { throw ProviderError(code: "PluginFailed", message: failure, retryable: true) }
            return call
        }
        let templateID = order.template.settings.hostfactory?.templateId ?? order.template.name
        let input = HostFactoryMachineRequest(template: .init(templateId: templateID, machineCount: order.machineIDs.count))
        try plugin.writeInput(input, call: call)
        try file.update {
            $0.orders.append(HostFactoryLedger.Order(
                call: call, actionID: order.actionID, owner: order.owner, fleet: order.fleet, template: order.template.name,
                templateHash: order.templateHash, templateID: templateID, machineIDs: order.machineIDs, createdAt: clock.now()))
        }
        checkpoint("hostfactory.after-intent")
        do {
            let run = try await plugin.run(.requestMachines, call: call, atTimeout: .leaveRunning)
            checkpoint("hostfactory.after-request-machines")
            if run.ending == .stillRunning { return call }
            let accepted = try plugin.interpret(run, as: HostFactoryRequestAccepted.self)
            try file.update { ledger in
                if let index = ledger.orders.firstIndex(where: { $0.call == call }) { ledger.orders[index].requestID = accepted.requestId }
            }
            plugin.removeFiles(call)
            return accepted.requestId
        } catch {
            try file.update { ledger in
                if let index = ledger.orders.firstIndex(where: { $0.call == call }) { ledger.orders[index].failure = error.message }
            }
            plugin.removeFiles(call)
            throw error
        }
    }
}
