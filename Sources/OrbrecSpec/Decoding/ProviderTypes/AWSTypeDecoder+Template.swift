internal import OrbrecCore

extension AWSTypeDecoder {
    static func template(_ spec: MappingReader, name: String, uses provider: ProviderUse) -> TemplateSettings? {
        let context = spec.context
        var valid = true
        func error(_ code: String, _ message: String, at field: String?) {
            context.error(code, message, at: field.flatMap(spec.value) ?? spec.node)
            valid = false
        }
        let providerApi = spec.choice("providerApi", as: Settings.ProviderAPI.self)
        let api = providerApi ?? .runInstances
        let apiIsKnown = spec.value("providerApi") == nil || providerApi != nil
        let imageId = spec.nonEmptyString("imageId")
        if spec.value("imageId") == nil && !spec.isExplained("imageId") {
            error("missing-field", "\(provider.sentence), which needs spec.imageId (an AMI id)", at: nil)
        }
        let instanceType = spec.nonEmptyString("instanceType")
        let instanceTypes = spec.integerMap("instanceTypes", minimum: 1)
        if spec.value("instanceType") != nil && spec.value("instanceTypes") != nil {
            error("conflicting-fields", "spec.instanceType and spec.instanceTypes are exclusive; give one", at: "instanceTypes")
        } else if spec.value("instanceType") == nil && spec.value("instanceTypes") == nil
                    && !spec.isExplained("instanceType") && !spec.isExplained("instanceTypes") {
            error("missing-field", "\(provider.sentence), which needs spec.instanceType, or spec.instanceTypes with providerApi: EC2Fleet", at: nil)
        }
        if spec.value("instanceTypes") != nil && apiIsKnown && api == .runInstances {
            error("invalid-value", "spec.instanceTypes (weighted types) needs providerApi: EC2Fleet, SpotFleet or ASG; "
                  + "RunInstances launches one type, given as spec.instanceType", at: "instanceTypes")
        }
        let subnetIds = spec.stringList("subnetIds")
        if apiIsKnown && api == .asg {
            if spec.value("subnetIds") == nil && !spec.isExplained("subnetIds") {
                error("missing-field", "\(provider.sentence) with providerApi: ASG, which needs spec.subnetIds (the group's subnets)", at: nil)
            } else if subnetIds?.isEmpty == true {
                error("invalid-value", "spec.subnetIds must name at least one subnet with providerApi: ASG", at: "subnetIds")
            }
        }
        let securityGroupIds = spec.stringList("securityGroupIds")
        let keyName = spec.nonEmptyString("keyName")
        let userData = spec.string("userData")
        let priceType = spec.choice("priceType", as: Settings.PriceType.self)
        let tags = spec.stringMap("tags")
        for key in (tags ?? [:]).keys.sorted() where key.lowercased().hasPrefix("orbrec:") || key.lowercased().hasPrefix("aws:") {
            error("reserved-tag", "tag '\(key)' is reserved: orbrec: tags are orbrec's own and aws: tags are AWS's", at: "tags")
        }
        let fleetRole = spec.nonEmptyString("fleetRole")
        let allocationStrategy = spec.choice("allocationStrategy", as: Settings.AllocationStrategy.self)
        let maxSpotPrice = spec.decimalText("maxSpotPrice")
        if apiIsKnown {
            checkSpotFleet(spec, api: api, fleetRole: fleetRole, priceType: priceType, uses: provider, error: error)
            if api == .runInstances && spec.value("allocationStrategy") != nil {
                error("invalid-value", "spec.allocationStrategy needs providerApi SpotFleet, EC2Fleet or ASG; RunInstances "
                      + "launches each instance on its own", at: "allocationStrategy")
            }
            if spec.value("maxSpotPrice") != nil && api != .spotFleet && priceType != .spot && (spec.value("priceType") == nil || priceType != nil) {
                error("invalid-value", "spec.maxSpotPrice applies to spot instances; set priceType: spot or providerApi: SpotFleet",
                      at: "maxSpotPrice")
            }
        }
        guard valid, let imageId else { return nil }
        return .aws(AWSTemplateSettings(
            providerApi: providerApi, imageId: imageId, instanceType: instanceType, instanceTypes: instanceTypes,
            subnetIds: Self.nonEmpty(subnetIds), securityGroupIds: Self.nonEmpty(securityGroupIds), keyName: keyName,
            userData: userData, priceType: priceType, tags: tags?.isEmpty == true ? nil : tags, fleetRole: fleetRole,
            allocationStrategy: allocationStrategy, maxSpotPrice: maxSpotPrice))
    }

    /// SpotFleet needs its IAM role and launches only spot instances; the role means nothing
    /// to any other API.
    private static func checkSpotFleet(_ spec: MappingReader, api: Settings.ProviderAPI, fleetRole: String?, priceType: Settings.PriceType?,
                                       uses provider: ProviderUse, error: (String, String, String?) -> Void) {
        if api == .spotFleet {
            if spec.value("fleetRole") == nil && !spec.isExplained("fleetRole") {
                error("missing-field", "\(provider.sentence) with providerApi: SpotFleet, which needs spec.fleetRole (the ARN of "
                      + "the IAM role the Spot Fleet acts as)", nil)
            }
            if let fleetRole, !fleetRole.hasPrefix("arn:") {
                error("invalid-value", "spec.fleetRole must be an IAM role ARN such as arn:aws:iam::123456789012:role/spot-fleet, "
                      + "not '\(fleetRole)'", "fleetRole")
            }
            if priceType == .ondemand {
                error("invalid-value", "providerApi: SpotFleet launches spot instances; remove priceType: ondemand or use EC2Fleet",
                      "priceType")
            }
        } else if spec.value("fleetRole") != nil {
            error("invalid-value", "spec.fleetRole applies to providerApi: SpotFleet only", "fleetRole")
        }
    }

    /// An empty list is no list: the two mean the same to EC2 and must hash the same.
    private static func nonEmpty(_ list: [String]?) -> [String]? {
        list?.isEmpty == true ? nil : list
    }
}
