internal import OrbrecCore

extension FleetDecoder {
    static let updateStrategyFields = ObjectSchema("How a template change rolls out over the fleet's machines.", [
        FieldSchema("maxSurge", .integer(minimum: 0), "Machines a rolling template change may add above count, within the template's maxMachines (default 1)."),
        FieldSchema("maxUnavailable", .integer(minimum: 0), "Machines a rolling template change may take below count (default 0). Not 0 together with maxSurge."),
    ])

    static let fields = ObjectSchema("How many machines of one template to keep.", [
        FieldSchema("template", .string(), required: true, "The name of a Template in the configuration."),
        FieldSchema("count", .integer(minimum: 0, maximum: maxCount), required: true, "How many machines to keep."),
        FieldSchema("scaleIn", .choice(FleetSpec.ScaleIn.allCases.map(\.rawValue)),
                    "Which machines go first when the fleet shrinks, after outdated and not-yet-running ones (default newest-first)."),
        FieldSchema("replaceUnhealthy", .boolean, "Replace unhealthy machines (default true); with false they are kept and still count."),
        FieldSchema("updateStrategy", .object(updateStrategyFields), "How a template change rolls out: maxSurge and maxUnavailable."),
    ])

    static var keys: [String] { fields.names }
}
