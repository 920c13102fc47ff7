internal import OrbrecCore

/// `type: aws`: machines are EC2 instances.
enum AWSTypeDecoder {
    static let decoder = ProviderTypeDecoder(providerFields: providerFields, templateFields: templateFields, templateAtMostOne: templateAtMostOne, provider: provider,
                                             template: template)

    typealias Settings = AWSTemplateSettings

    static let providerFields = [
        FieldSchema("region", .string(nonEmpty: true), "The AWS region, such as us-east-1. Required for aws."),
        FieldSchema("endpoint", .string(nonEmpty: true), "An http:// or https:// URL with a host: where EC2 calls go (aws)."),
        FieldSchema("profile", .string(nonEmpty: true), "The profile of the shared AWS credentials file to use (aws)."),
    ]

    static let templateFields = [
        FieldSchema("providerApi", .choice(Settings.ProviderAPI.allCases.map(\.rawValue)),
                    "How EC2 instances are requested: RunInstances (one call per machine, the default), EC2Fleet (an instant fleet "
                    + "over weighted instanceTypes), SpotFleet (a Spot Fleet request; needs fleetRole) or ASG (an Auto Scaling "
                    + "group per template; needs subnetIds) (aws)."),
        FieldSchema("imageId", .string(nonEmpty: true), "The AMI id. Required for aws."),
        FieldSchema("instanceType", .string(nonEmpty: true),
                    "One EC2 instance type; exclusive with instanceTypes. Required for aws unless instanceTypes is given."),
        FieldSchema("instanceTypes", .integerMap(minimum: 1),
                    "Instance type to weight, each 1 or more; with providerApi EC2Fleet, SpotFleet or ASG (aws)."),
        FieldSchema("subnetIds", .stringList,
                    "Subnets to launch in; without it AWS picks one of the default VPC. Required, at least one, for ASG (aws)."),
        FieldSchema("securityGroupIds", .stringList, "Security groups of each instance (aws)."),
        FieldSchema("keyName", .string(nonEmpty: true), "The EC2 key pair (aws)."),
        FieldSchema("userData", .string(), "Plain text such as a boot script; orbrec base64-encodes it (aws)."),
        FieldSchema("priceType", .choice(Settings.PriceType.allCases.map(\.rawValue)),
                    "On-demand or spot instances (default ondemand; SpotFleet is always spot) (aws)."),
        FieldSchema("tags", .stringMap, "Tags added to every instance after orbrec's own; keys starting with orbrec: or aws: are reserved (aws)."),
        FieldSchema("fleetRole", .string(nonEmpty: true),
                    "The ARN of the IAM role a Spot Fleet acts as (arn:aws:iam::ACCOUNT:role/NAME). Required for, and only with, "
                    + "providerApi SpotFleet (aws)."),
        FieldSchema("allocationStrategy", .choice(Settings.AllocationStrategy.allCases.map(\.rawValue)),
                    "How spot capacity is spread over instance types and subnets (SpotFleet, EC2Fleet or ASG; default: "
                    + "AWS's own for SpotFleet, capacity-optimized-prioritized for EC2Fleet) (aws)."),
        FieldSchema("maxSpotPrice", .number(minimum: 0),
                    "The most paid per instance hour for spot instances, in USD, such as 0.05 (default: the on-demand price); "
                    + "only for spot instances (aws)."),
    ]

    static let templateAtMostOne = [["instanceType", "instanceTypes"]]

    static func provider(_ spec: MappingReader, owner: String) -> ProviderSettings? {
        let context = spec.context
        if spec.value("region") == nil && !spec.isExplained("region") {
            context.error("missing-field", "Provider '\(owner)' of type aws needs spec.region (for example us-east-1)", at: spec.node)
        }
        let region = spec.nonEmptyString("region")
        let endpoint = spec.nonEmptyString("endpoint")
        if let endpoint, !Self.isHTTPURL(endpoint) {
            context.error("invalid-value", "spec.endpoint must be an http:// or https:// URL with a host, not '\(endpoint)'",
                          at: spec.value("endpoint"))
        }
        let profile = spec.nonEmptyString("profile")
        guard let region else { return nil }
        return .aws(AWSProviderSettings(region: region, endpoint: endpoint, profile: profile))
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
