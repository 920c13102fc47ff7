extension FleetSpec {
    /// The fields a plan shows as a fleet's update. `count` is left out: the provisions and
    /// returns of the plan already say what it changes. A new `template` replaces machines.
    public static let fields: [SpecField] = [
        SpecField("template", forcesReplacement: true), SpecField("scaleIn", forcesReplacement: false),
        SpecField("replaceUnhealthy", forcesReplacement: false),
        SpecField("updateStrategy.maxSurge", forcesReplacement: false),
        SpecField("updateStrategy.maxUnavailable", forcesReplacement: false),
        SpecField("labels", forcesReplacement: false), SpecField("annotations", forcesReplacement: false),
    ]

    public var fieldValues: [String: String] {
        var values: [String: String] = [
            "template": FieldText.string(template), "scaleIn": FieldText.string(scaleIn.rawValue),
            "replaceUnhealthy": String(replaceUnhealthy),
            "updateStrategy.maxSurge": String(updateStrategy.maxSurge),
            "updateStrategy.maxUnavailable": String(updateStrategy.maxUnavailable),
        ]
        if !metadata.labels.isEmpty { values["labels"] = FieldText.map(metadata.labels) }
        if !metadata.annotations.isEmpty { values["annotations"] = FieldText.map(metadata.annotations) }
        return values
    }
}
