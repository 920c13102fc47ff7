extension TemplateSpec {
    /// The fields a machine is made from, in the order a plan shows them: changing one
    /// replaces the template's machines. Each settings type names its own; a field missing
    /// there is still recorded and compared, only not shown (a test checks none is missing).
    public static let replacementFields: [SpecField] =
        [SpecField("template", forcesReplacement: true), SpecField("provider", forcesReplacement: true)]
        + ProviderSpec.ProviderType.allCases.flatMap(TemplateSettings.fields(of:))

    /// Fields recorded and applied without touching machines (docs/configuration.md, Template).
    public static let inPlaceFields: [SpecField] = [
        SpecField("maxMachines", forcesReplacement: false), SpecField("stopTimeout", forcesReplacement: false),
        SpecField("labels", forcesReplacement: false), SpecField("annotations", forcesReplacement: false),
    ]

    /// What a machine is made from, rendered: recorded per template hash so a later plan can
    /// say which fields a replacement changes, and can tell that a hash it does not know was
    /// made from the same fields as the current one. Derived from the settings' encoding, so a
    /// new field is in it without being listed. A sensitive field is kept only as a digest; an
    /// empty list or map is absent, as it always was (records made before the settings types
    /// must keep comparing equal).
    public var replacementFieldValues: [String: String] {
        var values: [String: String] = ["template": FieldText.string(name), "provider": FieldText.string(provider)]
        guard case .object(let fields) = CanonicalHash.tree(of: SettingsFields(settings: settings)) else { return values }
        let sensitive = Set(Self.replacementFields.filter(\.sensitive).map(\.name))
        for field in fields {
            if sensitive.contains(field.key), case .string(let secret) = field.value {
                values[field.key] = FieldText.digest(secret)
            } else {
                values[field.key] = FieldText.rendered(field.value)
            }
        }
        return values
    }

    public var inPlaceFieldValues: [String: String] {
        var values: [String: String] = [:]
        values["maxMachines"] = maxMachines.map(String.init)
        values["stopTimeout"] = stopTimeout.map(\.description)
        if !metadata.labels.isEmpty { values["labels"] = FieldText.map(metadata.labels) }
        if !metadata.annotations.isEmpty { values["annotations"] = FieldText.map(metadata.annotations) }
        return values
    }

    /// Every diffed field, for comparing with the spec last applied.
    public var fieldValues: [String: String] { replacementFieldValues.merging(inPlaceFieldValues) { first, _ in first } }

    public static var fields: [SpecField] { replacementFields + inPlaceFields }

    /// Whether a machine stamped `hash` is of this template as it is now: the hash is the
    /// current one, or the journal recorded it as made from the same fields (a hash computed
    /// another way, by an older orbrec), or it is this template's hash as orbrec computed it
    /// before hashes came from the canonical encoding.
    public func isCurrent(hash: String, history: [String: [String: String]]) -> Bool {
        if hash == specHash { return true }
        // Either witness suffices: a history written by an older rendering of the fields may
        // differ from today's rendering of the very same template.
        if let recorded = history[hash], recorded == replacementFieldValues { return true }
        return hash == legacySpecHash
    }
}

/// A template's settings as the fields they add to the template.
private struct SettingsFields: Encodable {
    let settings: TemplateSettings

    func encode(to encoder: any Encoder) throws { try settings.encodeFields(to: encoder) }
}

extension FieldText {
    /// A canonical value as the diff shows it: `"text"`, `["a", "b"]`, `{"k": "v"}`; nil for
    /// an empty list or map.
    static func rendered(_ value: CanonicalValue) -> String? {
        switch value {
        case .null: return nil
        case .string(let text): return string(text)
        case .literal(let text): return text
        case .array(let items):
            return items.isEmpty ? nil : "[" + items.map { rendered($0) ?? "null" }.joined(separator: ", ") + "]"
        case .object(let fields):
            return fields.isEmpty ? nil : "{" + fields.sorted { $0.key < $1.key }
                .map { "\(string($0.key)): \(rendered($0.value) ?? "null")" }.joined(separator: ", ") + "}"
        }
    }
}
