extension TemplateSpec {
    /// The fields of `specHash`: changing one replaces the template's machines.
    public static let replacementFields: [SpecField] = [
        SpecField("template", forcesReplacement: true), SpecField("provider", forcesReplacement: true),
        SpecField("command", forcesReplacement: true), SpecField("providerApi", forcesReplacement: true),
        SpecField("imageId", forcesReplacement: true), SpecField("instanceType", forcesReplacement: true),
        SpecField("instanceTypes", forcesReplacement: true), SpecField("subnetIds", forcesReplacement: true),
        SpecField("securityGroupIds", forcesReplacement: true), SpecField("keyName", forcesReplacement: true),
        SpecField("userData", forcesReplacement: true, sensitive: true), SpecField("priceType", forcesReplacement: true),
        SpecField("tags", forcesReplacement: true),
    ]

    /// Fields recorded and applied without touching machines (docs/configuration.md, Template).
    public static let inPlaceFields: [SpecField] = [
        SpecField("maxMachines", forcesReplacement: false), SpecField("stopTimeout", forcesReplacement: false),
        SpecField("labels", forcesReplacement: false), SpecField("annotations", forcesReplacement: false),
    ]

    /// What a machine is made from, rendered: recorded per template hash so a later plan can
    /// say which fields a replacement changes. `userData` is kept only as a digest. An empty
    /// list or map is absent, as `specHash` takes it: the two must change together.
    public var replacementFieldValues: [String: String] {
        var values: [String: String] = ["template": FieldText.string(name), "provider": FieldText.string(provider)]
        values["command"] = command.flatMap { $0.isEmpty ? nil : FieldText.list($0) }
        values["providerApi"] = providerApi.map { FieldText.string($0.rawValue) }
        values["imageId"] = imageId.map(FieldText.string)
        values["instanceType"] = instanceType.map(FieldText.string)
        values["instanceTypes"] = instanceTypes.flatMap { $0.isEmpty ? nil : FieldText.map($0) }
        values["subnetIds"] = subnetIds.flatMap { $0.isEmpty ? nil : FieldText.list($0) }
        values["securityGroupIds"] = securityGroupIds.flatMap { $0.isEmpty ? nil : FieldText.list($0) }
        values["keyName"] = keyName.map(FieldText.string)
        values["userData"] = userData.map(FieldText.digest)
        values["priceType"] = priceType.map { FieldText.string($0.rawValue) }
        values["tags"] = tags.flatMap { $0.isEmpty ? nil : FieldText.map($0) }
        return values
    }

    public var inPlaceFieldValues: [String: String] {
        var values: [String: String] = [:]
        values["maxMachines"] = maxMachines.map(String.init)
        values["stopTimeout"] = stopTimeout.map(\.description)
        if !metadata.labels.isEmpty { values["labels"] = FieldText.map(metadata.labels) }
        if !metadata.annotations.isEmpty { values["annotations"] = FieldText.map(metadata.annotations) }
        return values
    }

    /// Every diffed field, for comparing with the spec last applied.
    public var fieldValues: [String: String] { replacementFieldValues.merging(inPlaceFieldValues) { first, _ in first } }

    public static var fields: [SpecField] { replacementFields + inPlaceFields }
}
