/// One field of a resource that a plan changes, as Terraform shows it inside a resource
/// (`~ command: ["sleep", "300"] -> ["sleep", "400"]  # forces replacement`).
///
/// Values are rendered text (`FieldText`), nil when the field is absent on that side.
/// A sensitive field never carries its value: both sides read `(sensitive)`.
public struct FieldChange: Hashable, Sendable, Codable {
    public static let sensitiveText = "(sensitive)"

    public var field: String
    public var before: String?
    public var after: String?
    /// Whether the change replaces machines (it is part of the template hash).
    public var forcesReplacement: Bool
    public var sensitive: Bool

    public init(field: String, before: String?, after: String?, forcesReplacement: Bool, sensitive: Bool = false) {
        self.field = field
        self.before = before
        self.after = after
        self.forcesReplacement = forcesReplacement
        self.sensitive = sensitive
    }

    /// `+` added, `-` removed, `~` changed.
    public var symbol: String {
        if before == nil { return "+" }
        if after == nil { return "-" }
        return "~"
    }

    /// The changes between two renderings of the same kind of spec, in the catalogue's order.
    /// Fields the catalogue does not name are ignored; sensitive values are masked.
    public static func between(_ old: [String: String], _ new: [String: String], fields: [SpecField]) -> [FieldChange] {
        fields.compactMap { field in
            let before = old[field.name]
            let after = new[field.name]
            guard before != after else { return nil }
            return FieldChange(field: field.name,
                               before: field.sensitive ? before.map { _ in sensitiveText } : before,
                               after: field.sensitive ? after.map { _ in sensitiveText } : after,
                               forcesReplacement: field.forcesReplacement, sensitive: field.sensitive)
        }
    }
}

/// A field a plan may show as changed: whether changing it replaces machines, and whether
/// its value is a secret (shown as `(sensitive)`, recorded only as a digest).
public struct SpecField: Hashable, Sendable {
    public var name: String
    public var forcesReplacement: Bool
    public var sensitive: Bool

    public init(_ name: String, forcesReplacement: Bool, sensitive: Bool = false) {
        self.name = name
        self.forcesReplacement = forcesReplacement
        self.sensitive = sensitive
    }
}
