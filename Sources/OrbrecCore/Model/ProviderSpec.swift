/// `kind: Provider`: where machines come from.
public struct ProviderSpec: Hashable, Sendable {
    public var metadata: Metadata
    /// How many provider calls may run at once.
    public var maxInFlight: Int
    /// What only a provider of this type has (region, scriptsDir); its case is the type.
    public var settings: ProviderSettings

    public static let defaultMaxInFlight = 10

    public init(metadata: Metadata, maxInFlight: Int = defaultMaxInFlight, settings: ProviderSettings) {
        self.metadata = metadata
        self.maxInFlight = maxInFlight
        self.settings = settings
    }

    public var type: ProviderType { settings.type }
    public var name: String { metadata.name }
    public var id: ResourceID { ResourceID(.provider, name) }

    /// Everything it says.
    public var specHash: String { CanonicalHash.of(self) }
}
