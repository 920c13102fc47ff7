/// `kind: Template`: what one machine is.
public struct TemplateSpec: Hashable, Sendable {
    public var metadata: Metadata
    public var provider: String
    /// The most machines of this template across all fleets, enforced at plan time.
    public var maxMachines: Int?
    /// How long a returned machine gets between TERM and KILL.
    public var stopTimeout: ConfigDuration?
    /// What a machine of this template offers, as HostFactory's getAvailableTemplates reports it.
    public var attributes: TemplateAttributes?
    /// Whether a machine request (`machines request`, the API) replaces a machine its provider
    /// loses; nil is yes. HostFactory's requests never do.
    public var replaceLostMachines: Bool?
    /// What only a template of its provider's type has (command, imageId); its case is that type.
    public var settings: TemplateSettings

    public init(metadata: Metadata, provider: String, settings: TemplateSettings, maxMachines: Int? = nil,
                stopTimeout: ConfigDuration? = nil, attributes: TemplateAttributes? = nil, replaceLostMachines: Bool? = nil) {
        self.replaceLostMachines = replaceLostMachines
        self.metadata = metadata
        self.provider = provider
        self.settings = settings
        self.maxMachines = maxMachines
        self.stopTimeout = stopTimeout
        self.attributes = attributes
    }

    public static let defaultStopTimeout = ConfigDuration.seconds(10)

    public var name: String { metadata.name }
    public var id: ResourceID { ResourceID(.template, name) }

    /// Changes whenever a machine built from the old spec would differ from a new one. Left
    /// out: `maxMachines` (a limit on how many, not a property of one), `stopTimeout`, labels
    /// and annotations (applied in place, see `inPlaceFields`), `attributes` (what the
    /// template is said to offer, for HostFactory's listing; the machine is the same) and
    /// where the document was written.
    public var specHash: String {
        CanonicalHash.of(self, excluding: Self.unhashedPaths)
    }

    static let unhashedPaths = ["metadata.location", "metadata.labels", "metadata.annotations", "maxMachines", "stopTimeout", "attributes",
                                "replaceLostMachines"]
}
