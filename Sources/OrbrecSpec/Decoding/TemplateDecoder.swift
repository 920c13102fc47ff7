internal import OrbrecCore
internal import Yams

enum TemplateDecoder {

    static func decode(_ envelope: Envelope, context: DecodeContext) -> DecodedResource? {
        guard let node = envelope.spec,
              let spec = MappingReader(node, path: "spec", schema: fields, owner: "Template spec", context: context,
                                       parent: envelope.specParent) else {
            return nil
        }
        let owner = envelope.displayName
        let provider = spec.requireValue("provider", in: owner) != nil ? spec.string("provider") : nil
        let command = spec.stringList("command")
        if let command, command.isEmpty {
            context.error("invalid-value", "spec.command must hold at least the program to run", at: spec.value("command"))
        }
        let maxMachines = spec.integer("maxMachines", minimum: 0)
        let stopTimeout = spec.duration("stopTimeout")
        let providerApi = spec.choice("providerApi", as: TemplateSpec.ProviderAPI.self)
        let imageId = spec.nonEmptyString("imageId")
        let instanceType = spec.nonEmptyString("instanceType")
        let instanceTypes = spec.integerMap("instanceTypes", minimum: 1)
        if spec.value("instanceType") != nil && spec.value("instanceTypes") != nil {
            context.error("conflicting-fields", "spec.instanceType and spec.instanceTypes are exclusive; give one", at: spec.value("instanceTypes"))
        }
        let subnetIds = spec.stringList("subnetIds")
        let securityGroupIds = spec.stringList("securityGroupIds")
        let keyName = spec.nonEmptyString("keyName")
        let userData = spec.string("userData")
        let priceType = spec.choice("priceType", as: TemplateSpec.PriceType.self)
        let tags = spec.stringMap("tags")
        for key in (tags ?? [:]).keys.sorted() where key.lowercased().hasPrefix("orbrec:") || key.lowercased().hasPrefix("aws:") {
            context.error("reserved-tag", "tag '\(key)' is reserved: orbrec: tags are orbrec's own and aws: tags are AWS's", at: spec.value("tags"))
        }

        guard let metadata = envelope.metadata, let provider else { return nil }
        var template = TemplateSpec(metadata: metadata, provider: provider,
                                    command: command?.isEmpty == true ? nil : command, maxMachines: maxMachines)
        template.stopTimeout = stopTimeout
        template.providerApi = providerApi
        template.imageId = imageId
        template.instanceType = instanceType
        template.instanceTypes = instanceTypes
        template.subnetIds = subnetIds
        template.securityGroupIds = securityGroupIds
        template.keyName = keyName
        template.userData = userData
        template.priceType = priceType
        template.tags = tags
        return DecodedResource(spec: .template(template), nameLocation: envelope.nameLocation,
                               referenceLocation: spec.location(of: "provider"),
                               writtenFields: Set(spec.mapping.keys.compactMap { $0.scalar?.string }),
                               fieldLocations: spec.fieldLocations)
    }
}
