internal import OrbrecCore
internal import Yams

enum FleetDecoder {
    /// More machines than this in one fleet is a typo, and sums of counts must stay far from overflow.
    static let maxCount = 1_000_000

    static func decode(_ envelope: Envelope, context: DecodeContext) -> DecodedResource? {
        guard let node = envelope.spec,
              let spec = MappingReader(node, path: "spec", schema: fields, owner: "Fleet spec", context: context,
                                       parent: envelope.specParent) else {
            return nil
        }
        let owner = envelope.displayName
        let template = spec.requireValue("template", in: owner) != nil ? spec.string("template") : nil
        var count = spec.requireValue("count", in: owner) != nil ? spec.integer("count", minimum: 0) : nil
        if let value = count, value > maxCount {
            context.error("invalid-value", "spec.count must be \(maxCount) or less, not \(value)", at: spec.value("count"))
            count = nil
        }
        let scaleIn = spec.choice("scaleIn", as: FleetSpec.ScaleIn.self)
        let replaceUnhealthy = spec.boolean("replaceUnhealthy")
        var strategy = FleetSpec.UpdateStrategy()
        if let update = spec.mapping("updateStrategy", owner: "spec.updateStrategy") {
            let surge = update.integer("maxSurge", minimum: 0)
            let unavailable = update.integer("maxUnavailable", minimum: 0)
            strategy = FleetSpec.UpdateStrategy(maxSurge: surge ?? strategy.maxSurge,
                                                maxUnavailable: unavailable ?? strategy.maxUnavailable)
            if surge != nil || unavailable != nil, strategy.maxSurge == 0, strategy.maxUnavailable == 0 {
                context.error(
                    "invalid-value",
                    "spec.updateStrategy: maxSurge and maxUnavailable cannot both be 0, or a template change could never roll out",
                    at: update.node)
            }
        }
        guard let metadata = envelope.metadata, let template, let count else { return nil }
        let fleet = FleetSpec(metadata: metadata, template: template, count: count,
                              scaleIn: scaleIn ?? .newestFirst, replaceUnhealthy: replaceUnhealthy ?? true,
                              updateStrategy: strategy, countLocation: spec.location(of: "count"))
        return DecodedResource(spec: .fleet(fleet), nameLocation: envelope.nameLocation,
                               referenceLocation: spec.location(of: "template"))
    }
}
