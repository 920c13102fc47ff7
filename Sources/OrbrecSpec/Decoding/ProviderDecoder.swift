internal import OrbrecCore
internal import Yams

enum ProviderDecoder {

    static func decode(_ envelope: Envelope, context: DecodeContext) -> DecodedResource? {
        guard let node = envelope.spec,
              let spec = MappingReader(node, path: "spec", schema: fields, owner: "Provider spec", context: context,
                                       parent: envelope.specParent) else {
            return nil
        }
        let owner = envelope.displayName
        let type = spec.requireValue("type", in: owner) != nil ? spec.choice("type", as: ProviderSpec.ProviderType.self) : nil
        let maxInFlight = spec.integer("maxInFlight", minimum: 1)
        let region = spec.nonEmptyString("region")
        let endpoint = spec.nonEmptyString("endpoint")
        if let endpoint, !Self.isHTTPURL(endpoint) {
            context.error("invalid-value", "spec.endpoint must be an http:// or https:// URL with a host, not '\(endpoint)'",
                          at: spec.value("endpoint"))
        }
        let profile = spec.nonEmptyString("profile")
        guard let metadata = envelope.metadata, let type else { return nil }
        let provider = ProviderSpec(metadata: metadata, type: type, maxInFlight: maxInFlight ?? ProviderSpec.defaultMaxInFlight,
                                    region: region, endpoint: endpoint, profile: profile)
        return DecodedResource(spec: .provider(provider), nameLocation: envelope.nameLocation,
                               typeLocation: spec.location(of: "type"), writtenFields: Set(spec.fieldLocations.keys),
                               fieldLocations: spec.fieldLocations)
    }

    static func isHTTPURL(_ text: String) -> Bool {
        for scheme in ["http://", "https://"] where text.hasPrefix(scheme) {
            let rest = text.dropFirst(scheme.count)
            let host = rest.prefix { $0 != "/" && $0 != ":" && $0 != "?" }
            return !host.isEmpty && !rest.contains(" ")
        }
        return false
    }
}
