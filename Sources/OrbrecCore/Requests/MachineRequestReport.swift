/// A machine request or return request as its caller sees it, in the Open Resource Broker's
/// words: the request's status and each of its machines with where it can be reached.
public struct MachineRequestReport: Sendable, Hashable, Codable {
    /// One machine of a request.
    public struct Machine: Sendable, Hashable, Codable {
        public var id: String
        public var state: MachineState
        public var result: MachineResult
        public var addresses: MachineAddresses
        public var launchedAt: Instant
        public var message: String

        public init(id: String, state: MachineState, result: MachineResult, addresses: MachineAddresses = MachineAddresses(),
                    launchedAt: Instant, message: String = "") {
            self.id = id
            self.state = state
            self.result = result
            self.addresses = addresses
            self.launchedAt = launchedAt
            self.message = message
        }
    }

    /// How one machine of a request came out, as HostFactory asks: still going, done, or not.
    public enum MachineResult: String, Sendable, Hashable, Codable {
        case executing
        case succeed
        case fail
    }

    public var id: String
    public var kind: RequestKind
    public var status: RequestStatus
    /// The template asked for (a machine request), nil for a return request.
    public var template: String?
    public var requested: Int
    public var message: String
    public var createdAt: Instant
    public var machines: [Machine]

    public init(id: String, kind: RequestKind, status: RequestStatus, template: String?, requested: Int, message: String,
                createdAt: Instant, machines: [Machine]) {
        self.id = id
        self.kind = kind
        self.status = status
        self.template = template
        self.requested = requested
        self.message = message
        self.createdAt = createdAt
        self.machines = machines
    }
}

/// A machine as a request report is made from.
public struct RequestedMachine: Sendable, Hashable {
    public var id: String
    public var state: MachineState
    public var addresses: MachineAddresses
    public var createdAt: Instant
    public var message: String
    /// Named by a return request not yet carried out.
    public var returning: Bool

    public init(id: String, state: MachineState, addresses: MachineAddresses = MachineAddresses(), createdAt: Instant,
                message: String = "", returning: Bool = false) {
        self.id = id
        self.state = state
        self.addresses = addresses
        self.createdAt = createdAt
        self.message = message
        self.returning = returning
    }
}

extension MachineRequestReport {
    /// A machine request's report from its demand and every machine made for it (returned and
    /// failed ones too). `failed` is how many of its machines failed to start and left it.
    ///
    /// Complete once as many machines run as are still wanted; partial or failed when some or
    /// all of them could not be made (a failed machine is not tried again: the caller learns of
    /// it and asks again, as with the Open Resource Broker); pending until a machine exists.
    public static func provision(_ demand: MachineDemand, machines: [RequestedMachine], failed: Int) -> MachineRequestReport {
        let running = machines.filter { $0.state == .running && !$0.returning }.count
        let status: RequestStatus
        if demand.closedAt != nil {
            status = .cancelled
        } else if running >= demand.count {
            status = failed == 0 ? .complete : (failed >= demand.requested ? .failed : .partial)
        } else if machines.isEmpty {
            status = .pending
        } else {
            status = .inProgress
        }
        let lastFailure = machines.filter { $0.state == .failed }.max { $0.createdAt < $1.createdAt }?.message
        var message: String
        switch status {
        case .complete: message = "\(running) of \(demand.count) machine(s) running"
        case .cancelled: message = "withdrawn; \(machines.filter { $0.state.isHeld }.count) machine(s) still held"
        case .pending: message = "waiting for \(demand.count) machine(s)"
        case .inProgress: message = "\(running) of \(demand.count) machine(s) running"
        default: message = "\(failed) of \(demand.requested) machine(s) could not be made"
        }
        if let lastFailure, !lastFailure.isEmpty, failed > 0 { message += ": \(lastFailure)" }
        return MachineRequestReport(
            id: demand.id, kind: .provision, status: status, template: demand.template, requested: demand.requested, message: message,
            createdAt: demand.createdAt, machines: machines.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map { machine in
                Machine(id: machine.id, state: machine.state, result: result(ofProvision: machine.state), addresses: machine.addresses,
                        launchedAt: machine.createdAt, message: machine.message)
            })
    }

    /// A return request's report from the machines it names.
    public static func returning(id: String, createdAt: Instant, machines: [RequestedMachine]) -> MachineRequestReport {
        let done = machines.filter { $0.state.isFinal }.count
        let status: RequestStatus = done == machines.count ? .complete : (done == 0 && machines.allSatisfy { $0.state != .terminating } ? .pending : .inProgress)
        return MachineRequestReport(
            id: id, kind: .return, status: status, template: nil, requested: machines.count,
            message: "\(done) of \(machines.count) machine(s) returned", createdAt: createdAt,
            machines: machines.sorted { $0.id < $1.id }.map { machine in
                Machine(id: machine.id, state: machine.state, result: machine.state.isFinal ? .succeed : .executing,
                        addresses: machine.addresses, launchedAt: machine.createdAt, message: machine.message)
            })
    }

    public static func result(ofProvision state: MachineState) -> MachineResult {
        switch state {
        case .pending: .executing
        case .failed: .fail
        default: .succeed
        }
    }
}
