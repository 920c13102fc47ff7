/// A resource whose spec changes without replacing machines (a template's `maxMachines`, a
/// fleet's update strategy, labels): applying records it, as Terraform's update in place.
public struct ResourceUpdate: Hashable, Sendable, Codable {
    public var resource: ResourceID
    public var changes: [FieldChange]

    public init(resource: ResourceID, changes: [FieldChange]) {
        self.resource = resource
        self.changes = changes
    }
}
