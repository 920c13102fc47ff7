/// `kind: Template`: what one machine is.
public struct TemplateSpec: Hashable, Sendable, Codable {
    public enum ProviderAPI: String, Sendable, Codable, CaseIterable {
        case runInstances = "RunInstances"
        case ec2Fleet = "EC2Fleet"
    }

    public enum PriceType: String, Sendable, Codable, CaseIterable {
        case ondemand
        case spot
    }

    public var metadata: Metadata
    public var provider: String
    /// The local provider's argv, run once per machine.
    public var command: [String]?
    /// The most machines of this template across all fleets, enforced at plan time.
    public var maxMachines: Int?
    /// How long a returned machine gets between TERM and KILL.
    public var stopTimeout: ConfigDuration?

    // EC2 fields, decoded and validated now, provisioned through by the aws provider.
    public var providerApi: ProviderAPI?
    public var imageId: String?
    public var instanceType: String?
    public var instanceTypes: [String: Int]?
    public var subnetIds: [String]?
    public var securityGroupIds: [String]?
    public var keyName: String?
    public var userData: String?
    public var priceType: PriceType?
    public var tags: [String: String]?

    public init(metadata: Metadata, provider: String, command: [String]? = nil, maxMachines: Int? = nil) {
        self.metadata = metadata
        self.provider = provider
        self.command = command
        self.maxMachines = maxMachines
    }

    public static let defaultStopTimeout = ConfigDuration.seconds(10)

    public var name: String { metadata.name }
    public var id: ResourceID { ResourceID(.template, name) }

    /// Changes whenever a machine built from the old spec would differ from a new one;
    /// `maxMachines` is a limit, not a property of a machine, so it is left out.
    public var specHash: String {
        var hasher = StableHasher()
        hasher.combine(name)
        hasher.combine(provider)
        hasher.combine(command ?? [])
        hasher.combine(providerApi?.rawValue)
        hasher.combine(imageId)
        hasher.combine(instanceType)
        hasher.combine(instanceTypes ?? [:])
        hasher.combine(subnetIds ?? [])
        hasher.combine(securityGroupIds ?? [])
        hasher.combine(keyName)
        hasher.combine(userData)
        hasher.combine(priceType?.rawValue)
        hasher.combine(tags ?? [:])
        return hasher.hexDigest
    }
}
