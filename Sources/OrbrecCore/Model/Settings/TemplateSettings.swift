/// What only a template of one provider type has; the case is the type of the provider the
/// template names, which the loader checks.
public enum TemplateSettings: Hashable, Sendable {
    case local(LocalTemplateSettings)
    case aws(AWSTemplateSettings)
    case hostfactory(HostFactoryTemplateSettings)

    public var type: ProviderSpec.ProviderType {
        switch self {
        case .local: .local
        case .aws: .aws
        case .hostfactory: .hostfactory
        }
    }

    public var local: LocalTemplateSettings? {
        if case .local(let settings) = self { settings } else { nil }
    }

    public var aws: AWSTemplateSettings? {
        if case .aws(let settings) = self { settings } else { nil }
    }

    public var hostfactory: HostFactoryTemplateSettings? {
        if case .hostfactory(let settings) = self { settings } else { nil }
    }

    /// The fields a template of `type` adds, as a plan diff shows them.
    static func fields(of type: ProviderSpec.ProviderType) -> [SpecField] {
        switch type {
        case .local: LocalTemplateSettings.fields
        case .aws: AWSTemplateSettings.fields
        case .hostfactory: HostFactoryTemplateSettings.fields
        }
    }

    init(type: ProviderSpec.ProviderType, from decoder: any Decoder) throws {
        switch type {
        case .local: self = .local(try LocalTemplateSettings(from: decoder))
        case .aws: self = .aws(try AWSTemplateSettings(from: decoder))
        case .hostfactory: self = .hostfactory(try HostFactoryTemplateSettings(from: decoder))
        }
    }

    func encodeFields(to encoder: any Encoder) throws {
        switch self {
        case .local(let settings): try settings.encode(to: encoder)
        case .aws(let settings): try settings.encode(to: encoder)
        case .hostfactory(let settings): try settings.encode(to: encoder)
        }
    }
}
