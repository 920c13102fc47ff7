/// A template of an aws provider: how its EC2 instances are requested and what they are.
public struct AWSTemplateSettings: Hashable, Sendable, Codable {
    /// How instances are requested, as the Open Resource Broker names it.
    public enum ProviderAPI: String, Sendable, Codable, CaseIterable {
        /// One RunInstances call per machine.
        case runInstances = "RunInstances"
        /// One instant EC2 Fleet per order, over weighted instance types.
        case ec2Fleet = "EC2Fleet"
        /// A Spot Fleet request (`fleetRole` required; always spot).
        case spotFleet = "SpotFleet"
        /// An Auto Scaling group per template (`subnetIds` required).
        case asg = "ASG"
    }

    public enum PriceType: String, Sendable, Codable, CaseIterable {
        case ondemand
        case spot
    }

    /// How a fleet spreads spot capacity over its pools, as Spot Fleet spells it; EC2 Fleet
    /// takes the same choices hyphenated.
    public enum AllocationStrategy: String, Sendable, Codable, CaseIterable {
        case lowestPrice
        case diversified
        case capacityOptimized
        case priceCapacityOptimized
    }

    /// RunInstances when nil.
    public var providerApi: ProviderAPI?
    /// The AMI id.
    public var imageId: String
    /// One instance type; exclusive with `instanceTypes`.
    public var instanceType: String?
    /// Instance type to weight (EC2Fleet, SpotFleet, ASG); never empty.
    public var instanceTypes: [String: Int]?
    /// Never empty: no subnets is nil.
    public var subnetIds: [String]?
    public var securityGroupIds: [String]?
    public var keyName: String?
    /// Plain text; the adapter base64-encodes it.
    public var userData: String?
    /// On-demand when nil; SpotFleet is always spot.
    public var priceType: PriceType?
    /// Added to every instance after orbrec's own; never empty.
    public var tags: [String: String]?
    /// SpotFleet's IAM fleet role ARN.
    public var fleetRole: String?
    public var allocationStrategy: AllocationStrategy?
    /// The most paid per instance hour for spot capacity, in USD as AWS writes it (`0.05`).
    public var maxSpotPrice: String?

    public init(providerApi: ProviderAPI? = nil, imageId: String, instanceType: String? = nil, instanceTypes: [String: Int]? = nil,
                subnetIds: [String]? = nil, securityGroupIds: [String]? = nil, keyName: String? = nil, userData: String? = nil,
                priceType: PriceType? = nil, tags: [String: String]? = nil, fleetRole: String? = nil,
                allocationStrategy: AllocationStrategy? = nil, maxSpotPrice: String? = nil) {
        self.providerApi = providerApi
        self.imageId = imageId
        self.instanceType = instanceType
        self.instanceTypes = instanceTypes
        self.subnetIds = subnetIds
        self.securityGroupIds = securityGroupIds
        self.keyName = keyName
        self.userData = userData
        self.priceType = priceType
        self.tags = tags
        self.fleetRole = fleetRole
        self.allocationStrategy = allocationStrategy
        self.maxSpotPrice = maxSpotPrice
    }

    /// The API in effect.
    public var api: ProviderAPI { providerApi ?? .runInstances }

    /// Whether instances are spot: asked for, or implied by SpotFleet.
    public var isSpot: Bool { priceType == .spot || api == .spotFleet }
}

extension AWSTemplateSettings {
    /// Its fields as a plan diff shows them; `userData` may hold secrets.
    static let fields: [SpecField] = [
        SpecField("providerApi", forcesReplacement: true), SpecField("imageId", forcesReplacement: true),
        SpecField("instanceType", forcesReplacement: true), SpecField("instanceTypes", forcesReplacement: true),
        SpecField("subnetIds", forcesReplacement: true), SpecField("securityGroupIds", forcesReplacement: true),
        SpecField("keyName", forcesReplacement: true), SpecField("userData", forcesReplacement: true, sensitive: true),
        SpecField("priceType", forcesReplacement: true), SpecField("tags", forcesReplacement: true),
        SpecField("fleetRole", forcesReplacement: true), SpecField("allocationStrategy", forcesReplacement: true),
        SpecField("maxSpotPrice", forcesReplacement: true),
    ]
}
