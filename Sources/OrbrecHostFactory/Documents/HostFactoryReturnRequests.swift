/// getReturnRequests' answer: machines the cloud is taking back (a reclaimed spot instance,
/// one terminated from the console), each with the seconds left before it goes.
///
///     {"status": "complete", "message": "", "requests": [{"machine": "ip-16-0-1-130.ec2.internal", "gracePeriod": 0}]}
///
/// LSF's README writes `machineId` where Symphony writes `gracePeriod`; both are kept.
public struct HostFactoryReturnRequests: Hashable, Sendable, Codable {
    public struct Request: Hashable, Sendable, Codable {
        /// The host name.
        public var machine: String
        public var machineId: String?
        public var gracePeriod: Int?

        public init(machine: String, machineId: String? = nil, gracePeriod: Int? = nil) {
            self.machine = machine
            self.machineId = machineId
            self.gracePeriod = gracePeriod
        }

        private enum CodingKeys: String, CodingKey {
            case machine, machineId, gracePeriod
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            machine = try container.decode(String.self, forKey: .machine)
            machineId = try container.decodeIfPresent(String.self, forKey: .machineId)
            gracePeriod = try container.decodeLenientInt(forKey: .gracePeriod)
        }
    }

    public var status: String?
    public var message: String?
    public var requests: [Request]

    public init(requests: [Request], status: String? = nil, message: String? = nil) {
        self.requests = requests
        self.status = status
        self.message = message
    }

    private enum CodingKeys: String, CodingKey {
        case status, message, requests
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        requests = try container.decodeIfPresent([Request].self, forKey: .requests) ?? []
    }
}
