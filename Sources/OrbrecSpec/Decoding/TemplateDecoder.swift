internal import OrbrecCore
internal import Yams

/// Reads a Template in two steps: the fields every template has when its document is read,
/// then, once every Provider is known, the fields of its provider's type (`resolve`).
enum TemplateDecoder {
    /// A template read as far as it can be without its provider.
    struct Pending {
        let envelope: Envelope
        let context: DecodeContext
        let node: Node
        let metadata: Metadata?
        let provider: String?
        let maxMachines: Int?
        let stopTimeout: ConfigDuration?
        let attributes: TemplateAttributes?
        let replaceLostMachines: Bool?
        let providerLocation: SourceLocation?
        let fieldLocations: [String: SourceLocation]

        var name: String { metadata?.name ?? "" }
    }

    /// The first step: unknown keys are checked against every type's fields here.
    static func decode(_ envelope: Envelope, context: DecodeContext) -> Pending? {
        guard let node = envelope.spec,
              let spec = MappingReader(node, path: "spec", schema: fields, owner: "Template spec", context: context,
                                       parent: envelope.specParent) else {
            return nil
        }
        let provider = spec.requireValue("provider", in: envelope.displayName) != nil ? spec.string("provider") : nil
        let maxMachines = spec.integer("maxMachines", minimum: 0)
        let stopTimeout = spec.duration("stopTimeout")
        var attributes: TemplateAttributes?
        if let reader = spec.mapping("attributes", owner: "Template spec.attributes") {
            attributes = TemplateAttributes(ncpus: reader.integer("ncpus", minimum: 1), memMB: reader.integer("memMB", minimum: 1),
                                            type: reader.nonEmptyString("type"))
        }
        return Pending(envelope: envelope, context: context, node: node, metadata: envelope.metadata, provider: provider,
                       maxMachines: maxMachines, stopTimeout: stopTimeout, attributes: attributes,
                       replaceLostMachines: spec.boolean("replaceLostMachines"),
                       providerLocation: spec.location(of: "provider"), fieldLocations: spec.fieldLocations)
    }

    /// The second step for `pending`, once the type of every provider is known (valid or
    /// not: a template of a provider with a missing region still has its own fields checked).
    /// Without its provider, what the reference checks need.
    static func resolve(_ pending: Pending, providerTypes: [String: ProviderSpec.ProviderType]) -> DecodedResource? {
        guard let metadata = pending.metadata, let providerName = pending.provider else { return nil }
        guard let type = providerTypes[providerName] else {
            return DecodedResource(spec: .unresolvedTemplate(name: metadata.name, provider: providerName),
                                   nameLocation: pending.envelope.nameLocation, referenceLocation: pending.providerLocation)
        }
        let known = Set(fields.names)
        let use = ProviderUse(template: pending.name, provider: providerName, type: type)
        guard let spec = MappingReader(pending.node, path: "spec", schema: fields(for: type),
                                       owner: "Template spec of \(type.rawValue) provider '\(providerName)'", context: pending.context,
                                       parent: pending.envelope.specParent, recheck: { known.contains($0) },
                                       hint: { ProviderSpec.ProviderType.elsewhereHint($0, templates: true) }) else { return nil }
        let settings = type.decoder.template(spec, pending.name, use)
        guard let settings else { return nil }
        let template = TemplateSpec(metadata: metadata, provider: providerName, settings: settings, maxMachines: pending.maxMachines,
                                    stopTimeout: pending.stopTimeout, attributes: pending.attributes,
                                    replaceLostMachines: pending.replaceLostMachines)
        return DecodedResource(spec: .template(template), nameLocation: pending.envelope.nameLocation,
                               referenceLocation: pending.providerLocation, writtenFields: Set(pending.fieldLocations.keys),
                               fieldLocations: pending.fieldLocations)
    }
}
