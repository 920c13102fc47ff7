internal import OrbrecCore
internal import Yams

enum ProviderDecoder {

    /// Reads the fields every provider has against every type's fields, then the type's own
    /// against its fields alone, so that a field of another type is an unknown field.
    static func decode(_ envelope: Envelope, context: DecodeContext) -> DecodedResource? {
        guard let node = envelope.spec,
              let spec = MappingReader(node, path: "spec", schema: fields, owner: "Provider spec", context: context,
                                       parent: envelope.specParent) else {
            return nil
        }
        let owner = envelope.displayName
        let type = spec.requireValue("type", in: owner) != nil ? spec.choice("type", as: ProviderSpec.ProviderType.self) : nil
        let maxInFlight = spec.integer("maxInFlight", minimum: 1)
        guard let type else { return nil }
        let known = Set(fields.names)
        guard let own = MappingReader(node, path: "spec", schema: fields(for: type), owner: "Provider spec of type \(type.rawValue)",
                                      context: context, parent: envelope.specParent, recheck: { known.contains($0) },
                                      hint: { ProviderSpec.ProviderType.elsewhereHint($0, templates: false) }) else { return nil }
        let settings = type.decoder.provider(own, envelope.metadata?.name ?? "")
        guard let metadata = envelope.metadata, let settings else { return nil }
        let provider = ProviderSpec(metadata: metadata, maxInFlight: maxInFlight ?? ProviderSpec.defaultMaxInFlight, settings: settings)
        return DecodedResource(spec: .provider(provider), nameLocation: envelope.nameLocation,
                               typeLocation: spec.location(of: "type"), writtenFields: Set(spec.fieldLocations.keys),
                               fieldLocations: spec.fieldLocations)
    }
}
