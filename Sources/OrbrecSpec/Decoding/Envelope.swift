internal import OrbrecCore
internal import Yams

/// The common envelope of every document: apiVersion, kind, metadata and spec.
struct Envelope {
    static let apiVersion = "orbrec/v1"

    var kind: ResourceKind
    /// Nil when the name is missing or invalid; the spec is still checked.
    var metadata: Metadata?
    var nameLocation: SourceLocation?
    var spec: Node?
    var document: Node
    /// The document as the parent of its spec, for a spec field written at the top level.
    var specParent: MappingReader.Parent? = nil

    /// Decodes the envelope, reporting every problem; nil when the kind is unknown.
    static func decode(_ document: Node, context: DecodeContext) -> Envelope? {
        guard let reader = MappingReader(document, path: "", schema: fields(for: peekKind(document)), owner: "the document", context: context) else {
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
        var envelope = Envelope(kind: kind, metadata: nil, nameLocation: nil, spec: reader.value("spec"), document: document,
                                specParent: reader.asParent)
        if let metadataNode = reader.requireValue("metadata", in: "\(kind.rawValue) document"),
           let metadata = MappingReader(metadataNode, path: "metadata", schema: metadataFields, owner: "metadata", context: context,
                                        parent: reader.asParent) {
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
        if envelope.spec == nil && kind.isSupported && !reader.isExplained("spec") {
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

    /// The kind the document names, before it is checked, so that the fields of its spec
    /// are known when the top level is read.
    private static func peekKind(_ document: Node) -> ResourceKind? {
        guard case .mapping(let mapping) = document else { return nil }
        for (key, value) in mapping where key.scalar?.string == "kind" {
            return value.scalar.flatMap { ResourceKind(rawValue: $0.string) }
        }
        return nil
    }

    var displayName: String { metadata.map { "\(kind.rawValue) '\($0.name)'" } ?? "the \(kind.rawValue) document" }
}
