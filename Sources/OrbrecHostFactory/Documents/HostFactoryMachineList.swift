/// requestReturnMachines' and getReturnRequests' input: machines by host name, with the
/// plugin's machine id where HostFactory knows it.
///
///     {"machines": [{"name": "host-10-1-1-36", "machineId": "4fa69d720e06c50a89fb"}]}
public struct HostFactoryMachineList: Hashable, Sendable, Codable {
    public struct Machine: Hashable, Sendable, Codable {
        public var name: String
        public var machineId: String?

        public init(name: String, machineId: String? = nil) {
            self.name = name
            self.machineId = machineId
        }
    }

    public var machines: [Machine]

    public init(machines: [Machine]) {
        self.machines = machines
    }

    private enum CodingKeys: String, CodingKey {
        case machines
    }

    /// getReturnRequests may be given `{}`: no machines.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        machines = try container.decodeIfPresent([Machine].self, forKey: .machines) ?? []
    }
}
