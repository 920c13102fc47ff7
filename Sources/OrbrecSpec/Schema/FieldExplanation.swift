public import OrbrecCore

/// `orbrec explain KIND[.field…]`: a field's type, constraints and description with the
/// fields below it, from the tables the decoder reads, laid out as `kubectl explain` does.
public struct FieldExplanation: Sendable {
    public let kind: ResourceKind
    /// The dotted path below the document (`spec.updateStrategy`); empty for the document.
    public let path: String
    public let field: FieldSchema?
    public let object: ObjectSchema?

    /// Why a path names no field, with a suggestion when one is close.
    public struct Failure: Error, Sendable {
        public let message: String
    }

    /// Looks up `text`: a kind in any casing or plural (`Fleet`, `fleets`), then field names
    /// separated by dots; list fields may be written with `[]` or an index (`steps[0]`).
    public init(_ text: String) throws(Failure) {
        var parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let kindText = parts.removeFirst()
        let singular = kindText.lowercased().hasSuffix("s") ? String(kindText.dropLast()) : kindText
        guard let kind = ResourceKind(caseInsensitive: kindText) ?? ResourceKind(caseInsensitive: singular), kind.isSupported else {
            let names = ConfigurationSchema.kinds.map(\.rawValue)
            throw Failure(message: "unknown kind '\(kindText)'; expected one of \(names.joined(separator: ", "))"
                          + Suggestion.didYouMean(kindText, among: names))
        }
        var object = ConfigurationSchema.documentFields(of: kind)
        var field: FieldSchema?
        var walked: [String] = []
        for part in parts {
            let name = part.split(separator: "[", maxSplits: 1).first.map(String.init) ?? part
            let current = object
            guard !name.isEmpty else {
                throw Failure(message: "'\(text)' is not a field path; write KIND.field.field, like Fleet.spec.updateStrategy")
            }
            guard let next = current[name] else {
                let owner = ([kind.rawValue] + walked).joined(separator: ".")
                throw Failure(message: "\(owner) has no field '\(name)'; its fields are \(current.names.joined(separator: ", "))"
                              + Suggestion.didYouMean(name, among: current.names))
            }
            walked.append(name)
            field = next
            guard let below = next.value.object else {
                if walked.count < parts.count {
                    throw Failure(message: "\(([kind.rawValue] + walked).joined(separator: ".")) is a \(next.value.typeName); it has no fields below it")
                }
                object = ObjectSchema("", [])
                break
            }
            object = below
        }
        self.kind = kind
        self.path = walked.joined(separator: ".")
        self.field = field
        self.object = object.fields.isEmpty ? nil : object
    }

    /// The explanation as text for a terminal.
    public var rendered: String {
        var lines = ["KIND:     \(kind.rawValue)", "VERSION:  orbrec/v1"]
        if let field {
            lines.append("FIELD:    \(path) <\(field.value.typeName)>" + (field.required ? " -required-" : ""))
        }
        lines.append("")
        lines.append("DESCRIPTION:")
        lines.append(contentsOf: Self.wrapped(field?.description ?? ConfigurationSchema.specFields(of: kind).description, indent: "    "))
        if let field, !field.value.constraints.isEmpty {
            lines.append("")
            lines.append("CONSTRAINTS:")
            lines.append(contentsOf: field.value.constraints.map { "    " + $0 })
        }
        if let object {
            let rules = object.exactlyOne.map { "exactly one of " + $0.joined(separator: ", ") }
                + object.atMostOne.map { "at most one of " + $0.joined(separator: ", ") }
            if !rules.isEmpty {
                lines.append("")
                lines.append("RULES:")
                lines.append(contentsOf: rules.map { "    " + $0 })
            }
            lines.append("")
            lines.append("FIELDS:")
            for (index, child) in object.fields.enumerated() {
                if index > 0 { lines.append("") }
                let constraints = child.value.constraints
                lines.append("  \(child.name)\t<\(child.value.typeName)>" + (child.required ? " -required-" : "")
                             + (constraints.isEmpty ? "" : "  (\(constraints.joined(separator: "; ")))"))
                lines.append(contentsOf: Self.wrapped(child.description, indent: "    "))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `text` in lines of at most 80 columns.
    static func wrapped(_ text: String, indent: String) -> [String] {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            if line.count > indent.count && line.count + 1 + word.count > 80 {
                lines.append(line)
                line = indent
            }
            line += (line.count > indent.count ? " " : "") + word
        }
        if line.count > indent.count { lines.append(line) }
        return lines
    }
}
