/// A desired resource as a policy sees it: its document as written and what was observed of it.
public struct PolicySubject: Hashable, Sendable {
    public var id: ResourceID
    public var metadata: Metadata
    /// The `spec` as written in the file (fields left out are absent: test them with `has()`).
    public var spec: PolicyValue
    /// What orbrec observed of the resource (machines of a fleet, tasks of a pool); an empty
    /// map for kinds with nothing to observe or when nothing was observed.
    public var observed: PolicyValue

    public init(id: ResourceID, metadata: Metadata, spec: PolicyValue, observed: PolicyValue = .map([:])) {
        self.id = id
        self.metadata = metadata
        self.spec = spec
        self.observed = observed
    }

    /// The variables a resource rule's expressions see.
    public var bindings: [String: PolicyValue] {
        let metadataValue = PolicyValue.map([
            "name": .string(metadata.name),
            "labels": .map(metadata.labels.mapValues(PolicyValue.string)),
            "annotations": .map(metadata.annotations.mapValues(PolicyValue.string)),
        ])
        return [
            "kind": .string(id.kind.rawValue),
            "metadata": metadataValue,
            "spec": spec,
            "observed": observed,
            "resource": .map(["kind": .string(id.kind.rawValue), "metadata": metadataValue, "spec": spec, "observed": observed]),
        ]
    }
}
