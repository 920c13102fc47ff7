/// A template is encoded flat, as it is written, with `providerType` saying which
/// settings its other fields are. Specs recorded before settings had a type of their own have
/// no `providerType`: theirs is told by their fields (a local template had a `command`).
extension TemplateSpec: Codable {
    private enum CodingKeys: String, CodingKey {
        case metadata, provider, maxMachines, stopTimeout, attributes, replaceLostMachines, providerType, command
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(Metadata.self, forKey: .metadata)
        provider = try container.decode(String.self, forKey: .provider)
        maxMachines = try container.decodeIfPresent(Int.self, forKey: .maxMachines)
        stopTimeout = try container.decodeIfPresent(ConfigDuration.self, forKey: .stopTimeout)
        attributes = try container.decodeIfPresent(TemplateAttributes.self, forKey: .attributes)
        replaceLostMachines = try container.decodeIfPresent(Bool.self, forKey: .replaceLostMachines)
        let type = try container.decodeIfPresent(ProviderSpec.ProviderType.self, forKey: .providerType)
            ?? (container.contains(.command) ? .local : .aws)
        settings = try TemplateSettings(type: type, from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(provider, forKey: .provider)
        try container.encodeIfPresent(maxMachines, forKey: .maxMachines)
        try container.encodeIfPresent(stopTimeout, forKey: .stopTimeout)
        try container.encodeIfPresent(attributes, forKey: .attributes)
        try container.encodeIfPresent(replaceLostMachines, forKey: .replaceLostMachines)
        try container.encode(settings.type, forKey: .providerType)
        try settings.encodeFields(to: encoder)
    }
}
