/// A resource the state has applied before, remembered so that removing it from the
/// configuration can be planned (and guarded) even though its document is gone.
public struct KnownResource: Hashable, Sendable, Codable {
    public var id: ResourceID
    public var annotations: [String: String]
    public var location: SourceLocation?
    /// The diffed fields of the spec last applied (`TemplateSpec.fieldValues`,
    /// `FleetSpec.fieldValues`), for showing updates; nil for other kinds.
    public var fields: [String: String]? = nil

    public init(id: ResourceID, annotations: [String: String] = [:], location: SourceLocation? = nil) {
        self.id = id
        self.annotations = annotations
        self.location = location
    }

    public var preventsDestroy: Bool { annotations[Metadata.preventDestroyAnnotation] == "true" }
}
