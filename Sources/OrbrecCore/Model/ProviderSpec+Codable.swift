/// A provider is encoded flat, as it is written (`type`, `maxInFlight`, then its type's
/// fields), so the specs recorded before settings had a type of their own decode unchanged.
extension ProviderSpec: Codable {
    private enum CodingKeys: String, CodingKey {
        case metadata, type, maxInFlight
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(Metadata.self, forKey: .metadata)
        maxInFlight = try container.decodeIfPresent(Int.self, forKey: .maxInFlight) ?? Self.defaultMaxInFlight
        settings = try ProviderSettings(type: container.decode(ProviderType.self, forKey: .type), from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(type, forKey: .type)
        try container.encode(maxInFlight, forKey: .maxInFlight)
        try settings.encodeFields(to: encoder)
    }
}
