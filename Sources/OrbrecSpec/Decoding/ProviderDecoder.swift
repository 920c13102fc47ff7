internal import OrbrecCore
internal import Yams

enum ProviderDecoder {

    /// A provider as decoded: the resource when it is valid, and its type whenever that could
    /// be read, which is all its templates need to be read themselves.
    struct Decoded {
        var resource: DecodedResource?
        var type: ProviderSpec.ProviderType?
    }

    /// Reads the fields every provider has against every type's fields, then the type's own
    /// against its fields alone, so that a field of another type is an unknown field.
    static func decode(_ envelope: Envelope, context: DecodeContext) -> Decoded {
        guard let node = envelope.spec,
              let spec = MappingReader(node, path: "spec", schema: fields, owner: "Provider spec", context: context,
                                       parent: envelope.specParent) else {
            return Decoded()
        }
        let owner = envelope.displayName
        let type = spec.requireValue("type", in: owner) != nil ? spec.choice("type", as: ProviderSpec.ProviderType.self) : nil
        let maxInFlight = spec.integer("maxInFlight", minimum: 1)
        guard let type else { return Decoded() }
        let known = Set(fields.names)
        guard let own = MappingReader(node, path: "spec", schema: fields(for: type), owner: "Provider spec of type \(type.rawValue)",
                                      context: context, parent: envelope.specParent, recheck: { known.contains($0) },
                                      hint: { ProviderSpec.ProviderType.elsewhereHint($0, templates: false) }) else { return Decoded() }
        let settings = type.decoder.provider(own, envelope.metadata?.name ?? "")
        guard let metadata = envelope.metadata, let settings else { return Decoded(type: type) }
        let provider = ProviderSpec(metadata: metadata, maxInFlight: maxInFlight ?? ProviderSpec.defaultMaxInFlight, settings: settings)
        return Decoded(resource: DecodedResource(spec: .provider(provider), nameLocation: envelope.nameLocation,
                                                 typeLocation: spec.location(of: "type"), writtenFields: Set(spec.fieldLocations.keys),
                                                 fieldLocations: spec.fieldLocations),
                       type: type)
    }
}
