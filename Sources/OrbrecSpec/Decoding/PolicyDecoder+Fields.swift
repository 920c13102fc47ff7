internal import OrbrecCore

extension PolicyDecoder {
    static let matchFields = ObjectSchema("Which documents a resource rule looks at.", [
        FieldSchema("kinds", .stringList, "Kinds the rule applies to (every kind when absent)."),
        FieldSchema("names", .stringList, "Globs; one must match metadata.name."),
        FieldSchema("labels", .stringMap, "Every label must be present with a matching value (a glob)."),
    ])

    static let ruleFields = ObjectSchema("One rule: a condition and what its failure does.", [
        FieldSchema("name", .name, required: true, "The rule's name, unique within the policy."),
        FieldSchema("description", .string(), "For reviewers."),
        FieldSchema("scope", .choice(PolicyRule.Scope.allCases.map(\.rawValue)), "What the rule looks at: each resource or the whole plan (default resource)."),
        FieldSchema("match", .object(matchFields), "Which documents a resource rule looks at."),
        FieldSchema("deny", .expression, "The rule fails when this expression is true."),
        FieldSchema("warn", .expression, "The rule warns when this expression is true."),
        FieldSchema("message", .string(), "What the report says, with {{ expression }} placeholders."),
    ], exactlyOne: [effects])

    static let fields = ObjectSchema("Guardrails checked on every plan and apply.", [
        FieldSchema("enforcement", .choice(PolicySpec.Enforcement.allCases.map(\.rawValue)), required: true, "What a failed deny rule does."),
        FieldSchema("description", .string(), "For reviewers."),
        FieldSchema("rules", .objectList(ruleFields, minItems: 1), required: true, "The policy's rules, at least one."),
    ])

    static var keys: [String] { fields.names }
}
