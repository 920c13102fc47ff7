/// What CreateAutoScalingGroup is asked for: an empty group (MinSize and DesiredCapacity 0)
/// that launches from a launch template into the given subnets, whose capacity its caller
/// sets, and whose tags every instance it launches carries.
public struct AutoScalingGroupRequest: Sendable {
    public var name: String
    public var launchTemplateName: String
    /// In order of preference. More than one, or spot, makes a mixed instances policy.
    public var instanceTypes: [String]
    public var spot: Bool
    /// Auto Scaling's spelling: `lowest-price`, `capacity-optimized`, `price-capacity-optimized`, ….
    public var spotAllocationStrategy: String?
    /// With `lowest-price`: over how many of the cheapest pools spot capacity is spread.
    public var spotInstancePools: Int?
    public var spotMaxPrice: String?
    public var subnetIDs: [String]
    public var maxSize: Int
    /// Put on the group with PropagateAtLaunch, so an instance is born with them.
    public var tags: [(String, String)]

    public init(name: String, launchTemplateName: String, instanceTypes: [String], spot: Bool = false,
                spotAllocationStrategy: String? = nil, spotInstancePools: Int? = nil, spotMaxPrice: String? = nil, subnetIDs: [String], maxSize: Int,
                tags: [(String, String)]) {
        self.name = name
        self.launchTemplateName = launchTemplateName
        self.instanceTypes = instanceTypes
        self.spot = spot
        self.spotAllocationStrategy = spotAllocationStrategy
        self.spotInstancePools = spotInstancePools
        self.spotMaxPrice = spotMaxPrice
        self.subnetIDs = subnetIDs
        self.maxSize = maxSize
        self.tags = tags
    }

    var isMixed: Bool { spot || instanceTypes.count > 1 }

    /// New instances are protected from scale-in: the group never chooses which of orbrec's
    /// machines to end; orbrec names them (TerminateInstanceInAutoScalingGroup).
    var parameters: [EC2Request.Parameter] {
        var parameters: [EC2Request.Parameter] = [
            .init("AutoScalingGroupName", name), .init("MinSize", "0"), .init("MaxSize", String(maxSize)),
            .init("DesiredCapacity", "0"), .init("NewInstancesProtectedFromScaleIn", "true"),
        ]
        if !subnetIDs.isEmpty { parameters.append(.init("VPCZoneIdentifier", subnetIDs.joined(separator: ","))) }
        if isMixed {
            let policy = "MixedInstancesPolicy"
            parameters += [
                .init("\(policy).LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateName", launchTemplateName),
                .init("\(policy).LaunchTemplate.LaunchTemplateSpecification.Version", "$Latest"),
            ]
            for (index, type) in instanceTypes.enumerated() {
                parameters.append(.init("\(policy).LaunchTemplate.Overrides.member.\(index + 1).InstanceType", type))
            }
            parameters += [
                .init("\(policy).InstancesDistribution.OnDemandBaseCapacity", "0"),
                .init("\(policy).InstancesDistribution.OnDemandPercentageAboveBaseCapacity", spot ? "0" : "100"),
                .init("\(policy).InstancesDistribution.OnDemandAllocationStrategy", "prioritized"),
            ]
            if spot {
                parameters.append(.init("\(policy).InstancesDistribution.SpotAllocationStrategy", spotAllocationStrategy ?? "price-capacity-optimized"))
                if let spotInstancePools { parameters.append(.init("\(policy).InstancesDistribution.SpotInstancePools", String(spotInstancePools))) }
                if let spotMaxPrice { parameters.append(.init("\(policy).InstancesDistribution.SpotMaxPrice", spotMaxPrice)) }
            }
        } else {
            parameters += [.init("LaunchTemplate.LaunchTemplateName", launchTemplateName), .init("LaunchTemplate.Version", "$Latest")]
        }
        return parameters + AutoScalingClient.groupTags(name, tags)
    }
}
