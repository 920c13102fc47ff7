/// What getRequestStatus and getReturnRequests answered, written into the ledger. Pure, so
/// that the mapping from the plugin's machines to orbrec's is tested without a plugin.
extension HostFactoryLedger {
    /// Gives each machine a request reports to one of orbrec's machines of that order (the
    /// same one every time), records each machine's latest report, and settles returns.
    mutating func apply(_ answer: HostFactoryRequestStatus) {
        let byID = Dictionary(answer.requests.map { ($0.requestId, $0) }, uniquingKeysWith: { first, _ in first })
        for index in orders.indices {
            guard let requestID = orders[index].requestID, let request = byID[requestID] else { continue }
            orders[index].record(request)
        }
        for index in returns.indices {
            guard let requestID = returns[index].requestID, let request = byID[requestID] else { continue }
            returns[index].record(request)
            for machine in returns[index].done {
                if let holder = order(holding: machine) { orders[holder].done.insert(machine) }
            }
        }
    }

    /// Marks the machines getReturnRequests lists (by machine id, else by host name) as
    /// reclaimed by the cloud.
    mutating func apply(_ answer: HostFactoryReturnRequests, owner: String) {
        for reclaim in answer.requests {
            for index in orders.indices where orders[index].owner == owner {
                let match = orders[index].machines.first { _, machine in
                    if let id = reclaim.machineId, !id.isEmpty { return machine.machineId == id }
                    return !machine.name.isEmpty && machine.name == reclaim.machine
                }
                if let (orbrecID, _) = match { orders[index].reclaimed.insert(orbrecID) }
            }
        }
    }

    /// The plugin's machines of `owner` that orbrec still holds and is not returning: what
    /// getReturnRequests is asked about.
    func heldMachines(owner: String) -> [HostFactoryMachineList.Machine] {
        orders.filter { $0.owner == owner }.flatMap { order in
            order.machines.filter { id, machine in
                !order.done.contains(id) && !order.reclaimed.contains(id) && pendingReturn(of: id) == nil && machine.result != .fail
            }.sorted { $0.key < $1.key }.map { HostFactoryMachineList.Machine(name: $0.value.name, machineId: $0.value.machineId) }
        }
    }
}

extension HostFactoryLedger.Order {
    /// Machines not given by a finished request: never made.
    var neverMade: [String] {
        finished ? machineIDs.filter { machines[$0] == nil } : []
    }

    /// Every machine of the order is over: returned, or never made.
    var isOver: Bool {
        requestID != nil && allMachineIDs.allSatisfy { done.contains($0) || (finished && machines[$0] == nil) }
    }

    mutating func record(_ request: HostFactoryRequestStatus.Request) {
        for machine in request.machines where !machine.machineId.isEmpty {
            if let known = self.machine(withPluginID: machine.machineId) {
                machines[known] = machine
            } else if let free = machineIDs.first(where: { machines[$0] == nil && !done.contains($0) }) {
                machines[free] = machine
            } else {
                // More than was asked for: a machine of its own, which the fleet then scales in.
                let id = "\(fleet)-\(Self.idPart(machine.machineId))"
                if !extras.contains(id) { extras.append(id) }
                machines[id] = machine
            }
        }
        finished = request.status.isFinished
        message = request.message
    }

    /// A plugin's machine id as a part of an orbrec machine id: lower case letters, digits and dashes.
    static func idPart(_ text: String) -> String {
        let mapped = text.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "-" }
        return String(String(mapped).split(separator: "-").joined(separator: "-").prefix(40))
    }
}

extension HostFactoryLedger.Return {
    mutating func record(_ request: HostFactoryRequestStatus.Request) {
        for reported in request.machines {
            guard let id = machines.first(where: { _, machine in
                machine.machineId.map { $0 == reported.machineId } ?? (machine.name == reported.name)
            })?.key else { continue }
            switch reported.result {
            case .succeed: done.insert(id)
            case .fail: failed[id] = reported.message.isEmpty ? "the plugin could not return it (\(reported.status))" : reported.message
            case .executing: break
            }
        }
        guard request.status.isFinished else { return }
        for id in machines.keys where !done.contains(id) && failed[id] == nil {
            if request.status == .complete {
                done.insert(id)
            } else {
                failed[id] = request.message.isEmpty ? "the return ended with errors" : request.message
            }
        }
    }
}
