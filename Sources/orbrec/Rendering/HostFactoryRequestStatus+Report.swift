internal import OrbrecCore
internal import OrbrecHostFactory

extension HostFactoryRequestStatus.Request {
    /// A machine request or return request as getRequestStatus answers it: running until it is
    /// finished, then complete, or complete_with_error when some machines could not be made.
    init(_ report: MachineRequestReport, names: HostFactoryMachines) {
        let status: HostFactoryRequestStatus.Status = switch report.status {
        case .pending, .inProgress: .running
        case .complete: .complete
        case .partial, .failed, .cancelled: .completeWithError
        }
        self.init(requestId: report.id, status: status, message: report.message, machines: report.machines.map { machine in
            HostFactoryRequestStatus.Machine(
                machineId: machine.id, name: names.name(of: machine.id), result: HostFactoryRequestStatus.MachineResult(machine.result),
                status: machine.state.rawValue, privateIpAddress: machine.addresses.privateIP, publicIpAddress: machine.addresses.publicIP,
                launchtime: machine.launchedAt.millisecondsSinceEpoch / 1000, message: machine.message)
        })
    }

    /// A request this state has no record of: finished, so HostFactory stops asking.
    init(unknown id: String) {
        self.init(requestId: id, status: .completeWithError, message: "no request \(id) in this state")
    }
}

extension HostFactoryRequestStatus.MachineResult {
    init(_ result: MachineRequestReport.MachineResult) {
        switch result {
        case .executing: self = .executing
        case .succeed: self = .succeed
        case .fail: self = .fail
        }
    }
}
