public import OrbrecCore

/// The configuration's field tables as the decoders read them, for `orbrec schema` and
/// `orbrec explain`: the JSON Schema and the explanations cannot drift from the loader.
public enum ConfigurationSchema {
    /// The fields of a kind's `spec`.
    public static func specFields(of kind: ResourceKind) -> ObjectSchema {
        switch kind {
        case .provider: ProviderDecoder.fields
        case .template: TemplateDecoder.fields
        case .fleet: FleetDecoder.fields
        case .scheduler: SchedulerDecoder.fields
        case .taskPool: TaskPoolDecoder.fields
        case .workflow: WorkflowDecoder.fields
        case .policy: PolicyDecoder.fields
        }
    }

    /// The fields of a whole document of `kind` (apiVersion, kind, metadata, spec).
    public static func documentFields(of kind: ResourceKind) -> ObjectSchema {
        Envelope.fields(for: kind)
    }

    /// The kinds a schema is written for.
    public static var kinds: [ResourceKind] { ResourceKind.allCases.filter(\.isSupported) }

    /// A JSON Schema (draft-07) for documents of `kind`, or for a document of any kind
    /// (each kind's spec chosen by its `kind`) when nil, pretty-printed.
    public static func jsonSchema(for kind: ResourceKind?) -> String {
        JSONSchemaWriter.document(kind: kind).pretty()
    }
}
