/// `kind: Provider`: where machines come from.
public struct ProviderSpec: Hashable, Sendable, Codable {
    public enum ProviderType: String, Sendable, Codable, CaseIterable {
        case local
        case aws
        case hostfactory

        /// Types this version can provision through.
        public var isSupported: Bool { self != .hostfactory }
    }

    public var metadata: Metadata
    public var type: ProviderType
    /// How many provider calls may run at once.
    public var maxInFlight: Int
    public var region: String?
    public var endpoint: String?
    public var profile: String?

    public static let defaultMaxInFlight = 10

    public init(metadata: Metadata, type: ProviderType, maxInFlight: Int = defaultMaxInFlight,
                region: String? = nil, endpoint: String? = nil, profile: String? = nil) {
        self.metadata = metadata
        self.type = type
        self.maxInFlight = maxInFlight
        self.region = region
        self.endpoint = endpoint
        self.profile = profile
    }

    public var name: String { metadata.name }
    public var id: ResourceID { ResourceID(.provider, name) }

    public var specHash: String {
        var hasher = StableHasher()
        hasher.combine(type.rawValue)
        hasher.combine(maxInFlight)
        hasher.combine(region)
        hasher.combine(endpoint)
        hasher.combine(profile)
        return hasher.hexDigest
    }
}
