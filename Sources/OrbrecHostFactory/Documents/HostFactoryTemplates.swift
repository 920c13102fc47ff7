/// getAvailableTemplates' answer: the templates a plugin can make machines of.
///
///     {"templates": [{"templateId": "Template-VM-1", "maxNumber": 200,
///                     "attributes": {"ncpus": ["Numeric", "1"], "mem": ["Numeric", "8192"], "type": ["String", "X86_64"]}}]}
public struct HostFactoryTemplates: Hashable, Sendable, Codable {
    public var templates: [HostFactoryTemplate]
    public var message: String?

    public init(templates: [HostFactoryTemplate], message: String? = nil) {
        self.templates = templates
        self.message = message
    }
}

/// One template of getAvailableTemplates. Plugins add fields of their own (imageId, vmType);
/// only the contract's are kept here.
public struct HostFactoryTemplate: Hashable, Sendable, Codable {
    public var templateId: String
    /// The most machines of this template the plugin will hold at once.
    public var maxNumber: Int
    /// `ncpus`, `mem` (MB), `type` and any others HostFactory matches demand against.
    public var attributes: [String: HostFactoryAttribute]
    /// Tags for the instances, as one `key=value;key=value` string.
    public var instanceTags: String?

    public init(templateId: String, maxNumber: Int, attributes: [String: HostFactoryAttribute], instanceTags: String? = nil) {
        self.templateId = templateId
        self.maxNumber = maxNumber
        self.attributes = attributes
        self.instanceTags = instanceTags
    }

    private enum CodingKeys: String, CodingKey {
        case templateId, maxNumber, attributes, instanceTags
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        templateId = try container.decode(String.self, forKey: .templateId)
        maxNumber = try container.decodeLenientInt(forKey: .maxNumber) ?? 0
        attributes = try container.decodeIfPresent([String: HostFactoryAttribute].self, forKey: .attributes) ?? [:]
        instanceTags = try? container.decodeIfPresent(String.self, forKey: .instanceTags)
    }
}
