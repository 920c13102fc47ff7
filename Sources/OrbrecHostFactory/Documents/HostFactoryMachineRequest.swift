/// requestMachines' input: how many machines of which template.
///
///     {"template": {"templateId": "Template-VM-1", "machineCount": 1}, "rc_account": "default", "userData": {}}
public struct HostFactoryMachineRequest: Hashable, Sendable, Codable {
    public struct Template: Hashable, Sendable, Codable {
        public var templateId: String
        public var machineCount: Int

        public init(templateId: String, machineCount: Int) {
            self.templateId = templateId
            self.machineCount = machineCount
        }

        private enum CodingKeys: String, CodingKey {
            case templateId, machineCount
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            templateId = try container.decode(String.self, forKey: .templateId)
            machineCount = try container.decodeLenientInt(forKey: .machineCount) ?? 0
        }
    }

    public var template: Template
    /// LSF's resource connector account, passed through untouched.
    public var rcAccount: String?

    public init(template: Template, rcAccount: String? = nil) {
        self.template = template
        self.rcAccount = rcAccount
    }

    private enum CodingKeys: String, CodingKey {
        case template
        case rcAccount = "rc_account"
    }
}
