internal import OrbrecCore

extension Envelope {
    static let metadataFields = ObjectSchema("Identifies the document.", [
        FieldSchema("name", .name, required: true, "The document's name, unique among the documents of its kind; other documents refer to it by this name."),
        FieldSchema("labels", .stringMap, "Key-value pairs recorded in the state and part of a fleet's version. Values must be strings: quote numbers and booleans."),
        FieldSchema("annotations", .stringMap, "Key-value pairs for tools. orbrec/prevent-destroy: \"true\" on a Fleet blocks its pruning."),
    ])

    /// The fields of a whole document of `kind`; with no kind, any spec is a mapping.
    static func fields(for kind: ResourceKind?) -> ObjectSchema {
        let spec: ValueSchema = kind.map { .object(ConfigurationSchema.specFields(of: $0)) } ?? .object(ObjectSchema("The desired state; its fields depend on the kind.", []))
        return ObjectSchema(kind.map { "A \($0.rawValue) document." } ?? "An orbrec configuration document.", [
            FieldSchema("apiVersion", .choice([apiVersion]), required: true, "The version of the configuration format: orbrec/v1."),
            FieldSchema("kind", .choice(kind.map { [$0.rawValue] } ?? ResourceKind.allCases.map(\.rawValue)), required: true,
                        "What the document declares; case-sensitive."),
            FieldSchema("metadata", .object(metadataFields), required: true, "The document's name, labels and annotations."),
            FieldSchema("spec", spec, required: true, "The desired state; its fields depend on the kind."),
        ])
    }
}
