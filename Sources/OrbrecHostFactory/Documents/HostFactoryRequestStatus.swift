/// getRequestStatus' answer: each request's status and its machines, for create and return
/// requests alike.
///
///     {"requests": [{"requestId": "7de9…", "status": "complete", "message": "",
///                    "machines": [{"machineId": "4e50…", "name": "host-10-100-2-118", "result": "succeed",
///                                  "status": "RUNNING", "privateIpAddress": "10.100.2.118", "launchtime": 1494001568, "message": ""}]}]}
public struct HostFactoryRequestStatus: Hashable, Sendable, Codable {
    public var requests: [Request]

    public init(requests: [Request]) {
        self.requests = requests
    }

    /// Where a request stands.
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        /// Still in process.
        case running
        /// Done: every machine was created (or, for a return, terminated).
        case complete
        /// Done, but some machines failed.
        case completeWithError = "complete_with_error"

        public var isFinished: Bool { self != .running }

        public init(from decoder: any Decoder) throws {
            self = try decoder.decodeCaseInsensitive(Self.self)
        }
    }

    /// Where one machine of a request stands.
    public enum MachineResult: String, Hashable, Sendable, Codable, CaseIterable {
        /// Still being provisioned, or shutting down.
        case executing
        /// Created (for a return: terminated).
        case succeed
        /// Failed to be created (for a return: to be terminated).
        case fail

        public init(from decoder: any Decoder) throws {
            self = try decoder.decodeCaseInsensitive(Self.self)
        }
    }

    public struct Request: Hashable, Sendable, Codable {
        public var requestId: String
        public var status: Status
        public var message: String
        public var machines: [Machine]

        public init(requestId: String, status: Status, message: String = "", machines: [Machine] = []) {
            self.requestId = requestId
            self.status = status
            self.message = message
            self.machines = machines
        }

        private enum CodingKeys: String, CodingKey {
            case requestId, status, message, machines
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            requestId = try container.decode(String.self, forKey: .requestId)
            status = try container.decode(Status.self, forKey: .status)
            message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
            machines = try container.decodeIfPresent([Machine].self, forKey: .machines) ?? []
        }
    }

    public struct Machine: Hashable, Sendable, Codable {
        /// The plugin's id of the machine (an EC2 instance id).
        public var machineId: String
        /// Its host name, by which HostFactory knows it.
        public var name: String
        public var result: MachineResult
        /// The cloud's own word for its state (`running`, `RUNNING`, `shutting-down`).
        public var status: String
        public var privateIpAddress: String?
        public var publicIpAddress: String?
        /// Seconds since the epoch.
        public var launchtime: Int64?
        public var message: String
        public var rcAccount: String?

        public init(machineId: String, name: String, result: MachineResult, status: String, privateIpAddress: String? = nil,
                    publicIpAddress: String? = nil, launchtime: Int64? = nil, message: String = "", rcAccount: String? = nil) {
            self.machineId = machineId
            self.name = name
            self.result = result
            self.status = status
            self.privateIpAddress = privateIpAddress
            self.publicIpAddress = publicIpAddress
            self.launchtime = launchtime
            self.message = message
            self.rcAccount = rcAccount
        }

        private enum CodingKeys: String, CodingKey {
            case machineId, name, result, status, privateIpAddress, publicIpAddress, launchtime, message, rcAccount
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            machineId = try container.decode(String.self, forKey: .machineId)
            // Plugins leave out or null what they do not know yet (a name before the address).
            name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
            result = try container.decode(MachineResult.self, forKey: .result)
            status = try container.decodeIfPresent(String.self, forKey: .status) ?? ""
            privateIpAddress = try container.decodeIfPresent(String.self, forKey: .privateIpAddress)
            publicIpAddress = try container.decodeIfPresent(String.self, forKey: .publicIpAddress)
            launchtime = try container.decodeLenientInt(forKey: .launchtime).map(Int64.init)
            message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
            rcAccount = try container.decodeIfPresent(String.self, forKey: .rcAccount)
        }
    }
}
