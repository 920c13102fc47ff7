internal import OrbrecCore
internal import Yams

/// The common envelope of every document: apiVersion, kind, metadata and spec.
struct Envelope {
    static let apiVersion = "orbrec/v1"
    static let keys = ["apiVersion", "kind", "metadata", "spec"]
    static let metadataKeys = ["name", "labels", "annotations"]

    var kind: ResourceKind
    /// Nil when the name is missing or invalid; the spec is still checked.
    var metadata: Metadata?
    var nameLocation: SourceLocation?
    var spec: Node?
    var document: Node

    /// Decodes the envelope, reporting every problem; nil when the kind is unknown.
    static func decode(_ document: Node, context: DecodeContext) -> Envelope? {
        guard let reader = MappingReader(document, path: "", known: keys, owner: "the document", context: context) else {
            return nil
        }
        if let versionNode = reader.requireValue("apiVersion", in: "the document"),
           let version = reader.string("apiVersion"), version != apiVersion {
            context.error("api-version", "apiVersion must be '\(apiVersion)', not '\(version)'", at: versionNode)
        }
        guard reader.requireValue("kind", in: "the document") != nil, let kindText = reader.string("kind") else {
            return nil
        }
        guard let kind = ResourceKind(rawValue: kindText) else {
            let names = ResourceKind.allCases.map(\.rawValue)
            context.error(
                "unknown-kind",
                "unknown kind '\(kindText)'; expected one of \(names.joined(separator: ", "))\(Suggestion.didYouMean(kindText, among: names))",
                at: reader.value("kind"))
            return nil
        }
        var envelope = Envelope(kind: kind, metadata: nil, nameLocation: nil, spec: reader.value("spec"), document: document)
        if let metadataNode = reader.requireValue("metadata", in: "\(kind.rawValue) document"),
           let metadata = MappingReader(metadataNode, path: "metadata", known: metadataKeys, owner: "metadata", context: context) {
            let labels = metadata.stringMap("labels") ?? [:]
            let annotations = metadata.stringMap("annotations") ?? [:]
            if metadata.requireValue("name", in: "\(kind.rawValue) metadata") != nil, let name = metadata.string("name") {
                envelope.nameLocation = metadata.location(of: "name")
                if let problem = ResourceName.problem(with: name) {
                    context.error("invalid-name", "metadata.name: \(problem)", at: envelope.nameLocation)
                } else {
                    envelope.metadata = Metadata(name: name, labels: labels, annotations: annotations,
                                                 location: context.location(of: document))
                }
            }
        }
        if envelope.spec == nil && kind.isSupported {
            context.error("missing-field", "\(kind.rawValue) document is missing required field 'spec'", at: document)
        }
        if !kind.isSupported {
            context.error(
                "unsupported-kind",
                "kind \(kind.rawValue) is recognised but not yet supported by this version of orbrec; remove the document or upgrade",
                at: reader.value("kind"))
        }
        return envelope
    }

    var displayName: String { metadata.map { "\(kind.rawValue) '\($0.name)'" } ?? "the \(kind.rawValue) document" }
}
