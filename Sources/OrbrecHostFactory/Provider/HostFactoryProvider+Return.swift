public import OrbrecCore

extension HostFactoryProvider {
    /// One requestReturnMachines for the machines of `order` the plugin made. A machine it
    /// never made, or already returned, is returned at once; one its request has not given
    /// yet cannot be named to the plugin, and fails (retryable) until it is. A script still
    /// running at the timeout is left to run, as in `provision`: its machines are terminating
    /// until its answer is adopted.
    public func returnMachines(_ order: ReturnOrder) async -> [MachineOutcome] {
        do {
            return try await withLedger { file throws(ProviderError) in
                try await self.settleCalls(file)
                return try await self.requestReturn(order, file)
            }
        } catch {
            return order.machines.map { MachineOutcome(machineID: $0.id, providerID: $0.providerID, error: error) }
        }
    }

    private func requestReturn(_ order: ReturnOrder, _ file: LedgerFile) async throws(ProviderError) -> [MachineOutcome] {
        var outcomes: [String: MachineOutcome] = [:]
        var named: [String: HostFactoryMachineList.Machine] = [:]
        let ledger = file.ledger
        for machine in order.machines {
            let gone = MachineOutcome(machineID: machine.id, providerID: machine.providerID)
            guard let index = ledger.order(holding: machine.id), ledger.orders[index].owner == order.owner else {
                outcomes[machine.id] = gone
                continue
            }
            let held = ledger.orders[index]
            if let reported = held.machines[machine.id] {
                if held.done.contains(machine.id) || ledger.pendingReturn(of: machine.id) != nil {
                    outcomes[machine.id] = MachineOutcome(machineID: machine.id, providerID: reported.machineId)
                } else {
                    named[machine.id] = HostFactoryMachineList.Machine(name: reported.name, machineId: reported.machineId)
                }
            } else if held.failure != nil || held.finished {
                outcomes[machine.id] = gone
                try file.update { ledger in
                    if let index = ledger.order(holding: machine.id) { ledger.orders[index].done.insert(machine.id) }
                }
            } else {
                outcomes[machine.id] = MachineOutcome(machineID: machine.id, providerID: machine.providerID, error: ProviderError(
                    code: "NotYetMade", message: "the plugin has not yet given this machine; it can be returned once it has", retryable: true))
            }
        }
        if !named.isEmpty {
            let call = order.requestID
            if file.ledger.returns.contains(where: { $0.call == call }) {
                // The same return asked again: what the first call got stands.
                for id in named.keys { outcomes[id] = MachineOutcome(machineID: id, providerID: named[id]?.machineId) }
            } else {
                let list = HostFactoryMachineList(machines: named.sorted { $0.key < $1.key }.map(\.value))
                try plugin.writeInput(list, call: call)
                try file.update {
                    $0.returns.append(HostFactoryLedger.Return(call: call, owner: order.owner, machines: named, createdAt: clock.now()))
                }
                // nil: still running at the timeout. The return stays under way (its machines
                // terminating) and its answer is adopted when the script ends.
                let result: Result<HostFactoryRequestAccepted, ProviderError>?
                do {
                    let run = try await plugin.run(.requestReturnMachines, call: call, atTimeout: .leaveRunning)
                    checkpoint("hostfactory.after-return-machines")
                    result = run.ending == .stillRunning ? nil : .success(try plugin.interpret(run, as: HostFactoryRequestAccepted.self))
                } catch {
                    result = .failure(error)
                }
                if let result {
                    try file.update { ledger in
                        guard let index = ledger.returns.firstIndex(where: { $0.call == call }) else { return }
                        switch result {
                        case .success(let accepted): ledger.returns[index].requestID = accepted.requestId
                        case .failure(let error): ledger.returns[index].failure = error.message
                        }
                    }
                    plugin.removeFiles(call)
                }
                for (id, machine) in named {
                    if case .failure(let error)? = result {
                        outcomes[id] = MachineOutcome(machineID: id, providerID: machine.machineId, error: error)
                    } else {
                        outcomes[id] = MachineOutcome(machineID: id, providerID: machine.machineId)
                    }
                }
            }
        }
        let now = clock.now()
        try file.update { $0.prune(now: now) }
        return order.machines.map { outcomes[$0.id] ?? MachineOutcome(machineID: $0.id, providerID: $0.providerID) }
    }
}
