/// `type: aws`: where EC2 calls go and whose credentials they carry.
public struct AWSProviderSettings: Hashable, Sendable, Codable {
    /// Required in a configuration; nil only in specs built in code, where the environment's
    /// region (then us-east-1) is used.
    public var region: String?
    /// An http(s) URL, for moto, LocalStack or a VPC endpoint.
    public var endpoint: String?
    /// A profile of the shared credentials file.
    public var profile: String?

    public init(region: String? = nil, endpoint: String? = nil, profile: String? = nil) {
        self.region = region
        self.endpoint = endpoint
        self.profile = profile
    }
}
