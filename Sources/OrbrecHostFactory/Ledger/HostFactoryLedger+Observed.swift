public import OrbrecCore

extension HostFactoryLedger {
    /// orbrec's machines of `owner` as the ledger now knows them.
    func observedMachines(owner: String, provider: String) -> [ObservedMachine] {
        var found: [ObservedMachine] = []
        for order in orders where order.owner == owner && (order.failure == nil || order.abandonedAt != nil) {
            for id in order.allMachineIDs where !order.done.contains(id) {
                var machine = ObservedMachine(
                    id: id, fleet: order.fleet, template: order.template, templateHash: order.templateHash, provider: provider,
                    providerID: "pending:\(order.requestID ?? order.call)", actionID: order.actionID, state: .pending,
                    createdAt: order.createdAt, message: "")
                if let failure = order.failure {
                    machine.state = .failed
                    machine.message = failure
                } else if let reported = order.machines[id] {
                    machine.providerID = reported.machineId
                    machine.state = HostFactoryMachineState.state(of: reported.result, requestFinished: order.finished)
                    machine.message = [reported.name, reported.status, reported.message].filter { !$0.isEmpty }.joined(separator: " ")
                    if let launched = reported.launchtime, launched > 0 {
                        machine.createdAt = Instant(millisecondsSinceEpoch: launched * 1000)
                    }
                    let addresses = MachineAddresses(privateIP: reported.privateIpAddress.nonEmpty, publicIP: reported.publicIpAddress.nonEmpty,
                                                     hostname: reported.name.isEmpty ? nil : reported.name)
                    machine.addresses = addresses.isEmpty ? nil : addresses
                    if order.reclaimed.contains(id) {
                        machine.state = .lost
                        machine.reclaimedByProvider = true
                        machine.message = "the cloud is taking it back (getReturnRequests); " + machine.message
                    }
                    if pendingReturn(of: id) != nil {
                        machine.state = .terminating
                    } else if let failure = returns.lazy.compactMap({ $0.failed[id] }).first {
                        machine.message = "return failed: \(failure); " + machine.message
                    }
                } else if order.requestID == nil {
                    machine.message = "requestMachines is running"
                } else if order.finished {
                    machine.state = .failed
                    machine.message = "not made: the plugin's request \(order.requestID ?? "") ended with \(order.machines.count) of \(order.machineIDs.count) machines"
                        + (order.message.isEmpty ? "" : " (\(order.message))")
                } else {
                    machine.message = "waiting for the plugin's request \(order.requestID ?? "")"
                }
                found.append(machine)
            }
        }
        return found.sorted { $0.id < $1.id }
    }
}

private extension Optional where Wrapped == String {
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
