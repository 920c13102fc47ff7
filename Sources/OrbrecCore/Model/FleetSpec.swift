/// `kind: Fleet`: how many machines of a template should exist.
public struct FleetSpec: Hashable, Sendable, Codable {
    public enum ScaleIn: String, Sendable, Codable, CaseIterable {
        case newestFirst = "newest-first"
        case oldestFirst = "oldest-first"
    }

    /// How a template change rolls out: like a Kubernetes Deployment's rolling update.
    public struct UpdateStrategy: Hashable, Sendable, Codable {
        /// Machines that may exist above `count` while replacing.
        public var maxSurge: Int
        /// Machines that may be missing below `count` while replacing.
        public var maxUnavailable: Int

        public init(maxSurge: Int = 1, maxUnavailable: Int = 0) {
            self.maxSurge = maxSurge
            self.maxUnavailable = maxUnavailable
        }

        /// How many machines one wave replaces.
        public var waveSize: Int { max(1, maxSurge + maxUnavailable) }
    }

    public var metadata: Metadata
    public var template: String
    public var count: Int
    public var scaleIn: ScaleIn
    public var replaceUnhealthy: Bool
    public var updateStrategy: UpdateStrategy
    /// Where `spec.count` was written, for diagnostics about it.
    public var countLocation: SourceLocation?

    public init(metadata: Metadata, template: String, count: Int, scaleIn: ScaleIn = .newestFirst,
                replaceUnhealthy: Bool = true, updateStrategy: UpdateStrategy = UpdateStrategy(),
                countLocation: SourceLocation? = nil) {
        self.metadata = metadata
        self.template = template
        self.count = count
        self.scaleIn = scaleIn
        self.replaceUnhealthy = replaceUnhealthy
        self.updateStrategy = updateStrategy
        self.countLocation = countLocation
    }

    public var name: String { metadata.name }
    public var id: ResourceID { ResourceID(.fleet, name) }

    /// Everything it says (`countLocation`, a source location, is never hashed).
    public var specHash: String { CanonicalHash.of(self) }
}
