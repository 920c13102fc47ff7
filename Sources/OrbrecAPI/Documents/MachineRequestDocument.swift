public import OrbrecCore

/// A machine request or return request as `requests status -o json`, `GET /api/v1/requests/{id}`
/// and MCP's `get_request_status` show it, in the field names a client of the Open Resource
/// Broker looks for (`request_id`, `machine_id`, `private_ip_address`, `launch_time`).
public struct MachineRequestDocument: Codable, Sendable, Hashable {
    public struct Machine: Codable, Sendable, Hashable {
        public var machineId: String
        /// The machine's name; orbrec's machine ids are names (`req-…-7fk2p`, `workers-7fk2p`).
        public var name: String
        public var status: String
        public var result: String
        public var privateIpAddress: String?
        public var publicIpAddress: String?
        public var hostname: String?
        /// Seconds since the epoch, as HostFactory's `launchtime`.
        public var launchTime: Int64
        public var message: String

        enum CodingKeys: String, CodingKey {
            case name, status, result, hostname, message
            case machineId = "machine_id"
            case privateIpAddress = "private_ip_address"
            case publicIpAddress = "public_ip_address"
            case launchTime = "launch_time"
        }
    }

    public var requestId: String
    /// `provision` or `return`.
    public var requestType: String
    public var status: String
    public var message: String
    public var templateId: String?
    public var requestedCount: Int
    public var createdAt: Int64
    public var machines: [Machine]

    enum CodingKeys: String, CodingKey {
        case status, message, machines
        case requestId = "request_id"
        case requestType = "request_type"
        case templateId = "template_id"
        case requestedCount = "requested_count"
        case createdAt = "created_at"
    }

    public init(_ report: MachineRequestReport) {
        requestId = report.id
        requestType = report.kind.rawValue
        status = report.status.rawValue
        message = report.message
        templateId = report.template
        requestedCount = report.requested
        createdAt = report.createdAt.millisecondsSinceEpoch
        machines = report.machines.map { machine in
            Machine(machineId: machine.id, name: machine.id, status: machine.state.rawValue, result: machine.result.rawValue,
                    privateIpAddress: machine.addresses.privateIP, publicIpAddress: machine.addresses.publicIP,
                    hostname: machine.addresses.hostname, launchTime: machine.launchedAt.millisecondsSinceEpoch / 1000,
                    message: machine.message)
        }
    }
}

/// What `requests status` answers for several ids at once: `{"requests": [...]}`, as ORB does.
public struct MachineRequestsDocument: Codable, Sendable, Hashable {
    public var requests: [MachineRequestDocument]

    public init(_ reports: [MachineRequestReport]) { requests = reports.map(MachineRequestDocument.init) }
}
