internal import OrbrecCore

/// How the fields of one provider type are read: those of its Provider documents and those
/// of the Template documents that name such a provider. A field of another type is then an
/// ordinary unknown field, reported where it was written.
struct ProviderTypeDecoder: Sendable {
    /// The fields only a provider of this type has (beside `type` and `maxInFlight`).
    let providerFields: [FieldSchema]
    /// The fields only a template of this type has (beside `provider`, `maxMachines`, …).
    let templateFields: [FieldSchema]
    /// Groups of the template fields of which at most one may be written.
    var templateAtMostOne: [[String]] = []
    /// The provider's settings (`owner`: its name); nil once what is wrong is reported.
    let provider: @Sendable (_ spec: MappingReader, _ owner: String) -> ProviderSettings?
    /// The settings of the template named `name`; nil once what is wrong is reported.
    let template: @Sendable (_ spec: MappingReader, _ name: String, _ uses: ProviderUse) -> TemplateSettings?
}

/// Which provider a template uses, for messages that say what it needs.
struct ProviderUse {
    let template: String
    let provider: String
    let type: ProviderSpec.ProviderType

    /// `Template 'web' uses aws provider 'cloud'`.
    var sentence: String { "Template '\(template)' uses \(type.rawValue) provider '\(provider)'" }
}

extension ProviderSpec.ProviderType {
    /// The decoder of this type's fields: the one place a new provider type is added to
    /// the loader.
    var decoder: ProviderTypeDecoder {
        switch self {
        case .local: LocalTypeDecoder.decoder
        case .aws: AWSTypeDecoder.decoder
        case .hostfactory: HostFactoryTypeDecoder.decoder
        }
    }

    /// The types whose providers (or templates) have `field`, for where a misplaced one belongs.
    static func types(having field: String, templates: Bool) -> [ProviderSpec.ProviderType] {
        allCases.filter { type in
            (templates ? type.decoder.templateFields : type.decoder.providerFields).contains { $0.name == field }
        }
    }

    /// `; imageId is a field of aws templates` for a field another type has.
    static func elsewhereHint(_ field: String, templates: Bool) -> String {
        let types = Self.types(having: field, templates: templates).map(\.rawValue)
        guard !types.isEmpty else { return "" }
        return "; \(field) is a field of \(types.joined(separator: " and ")) \(templates ? "templates" : "providers")"
    }
}
