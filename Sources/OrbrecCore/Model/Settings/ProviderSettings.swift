extension ProviderSpec {
    /// The kinds of provider, each with its own settings (`ProviderSettings`) and its own
    /// template settings (`TemplateSettings`).
    public enum ProviderType: String, Sendable, Codable, CaseIterable {
        case local
        case aws
        case hostfactory
    }
}

/// What only a provider of one type has. Adding a type is a case here and in `ProviderType`,
/// its settings types, and a case in `TemplateSettings`; the compiler then names every switch
/// left to extend (here, in `TemplateSettings`, the loader's `ProviderType.decoder` and the
/// CLI's provider factory).
public enum ProviderSettings: Hashable, Sendable {
    /// This host's processes: nothing to set.
    case local
    case aws(AWSProviderSettings)
    case hostfactory(HostFactoryProviderSettings)

    public var type: ProviderSpec.ProviderType {
        switch self {
        case .local: .local
        case .aws: .aws
        case .hostfactory: .hostfactory
        }
    }

    /// The settings of a `type` provider from the same level as `type` itself.
    init(type: ProviderSpec.ProviderType, from decoder: any Decoder) throws {
        switch type {
        case .local: self = .local
        case .aws: self = .aws(try AWSProviderSettings(from: decoder))
        case .hostfactory: self = .hostfactory(try HostFactoryProviderSettings(from: decoder))
        }
    }

    /// The settings' fields beside the provider's own.
    func encodeFields(to encoder: any Encoder) throws {
        switch self {
        case .local: break
        case .aws(let settings): try settings.encode(to: encoder)
        case .hostfactory(let settings): try settings.encode(to: encoder)
        }
    }
}
