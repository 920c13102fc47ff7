internal import OrbrecCore

/// Writes the field tables as JSON Schema draft-07, the newest draft every editor plugin
/// (yaml-language-server) and validator (check-jsonschema) reads.
///
/// The schema states what can be checked one document at a time: types, ranges, choices,
/// names, durations, unknown and missing fields, exclusive fields. References between
/// documents, a provider's per-type requirements and other rules that need more than one
/// field's value are left to `orbrec validate`. Fields that are not required accept null,
/// because the loader reads an explicit null as an absent field.
enum JSONSchemaWriter {
    static let draft = "http://json-schema.org/draft-07/schema#"
    /// The text of a duration `ConfigDuration` accepts: numbers with units, in sequence.
    static let durationPattern = "^([0-9]+(ms|s|m|h|d))+$"
    static let namePattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"

    static func document(kind: ResourceKind?) -> SchemaJSON {
        if let kind {
            return .object([("$schema", .string(draft)), ("title", .string("orbrec \(kind.rawValue)"))]
                + objectMembers(Envelope.fields(for: kind)))
        }
        let generic = Envelope.fields(for: nil)
        var members = objectMembers(generic)
        members = members.map { key, value in
            guard key == "properties", case .object(var properties) = value else { return (key, value) }
            if let index = properties.firstIndex(where: { $0.0 == "spec" }) {
                properties[index].1 = .object([("description", .string(generic["spec"]?.description ?? "")), ("type", .string("object"))])
            }
            return (key, .object(properties))
        }
        let byKind: [SchemaJSON] = ConfigurationSchema.kinds.map { kind in
            .object([
                ("if", .object([("properties", .object([("kind", .object([("const", .string(kind.rawValue))]))])), ("required", .array([.string("kind")]))])),
                ("then", .object([("properties", .object([("spec", .object(objectMembers(ConfigurationSchema.specFields(of: kind))))]))])),
            ])
        }
        members.append(("allOf", .array(byKind)))
        return .object([
            ("$schema", .string(draft)),
            ("title", .string("orbrec configuration")),
            ("description", .string("One orbrec document of any kind, or (in a JSON file) a list of them.")),
            ("definitions", .object([("document", .object(members))])),
            ("anyOf", .array([
                .object([("$ref", .string("#/definitions/document"))]),
                .object([("type", .string("array")), ("items", .object([("$ref", .string("#/definitions/document"))]))]),
            ])),
        ])
    }

    static func objectMembers(_ object: ObjectSchema) -> [(String, SchemaJSON)] {
        var members: [(String, SchemaJSON)] = [
            ("description", .string(object.description)),
            ("type", .string("object")),
            ("additionalProperties", .bool(false)),
            ("properties", .object(object.fields.map { ($0.name, field($0)) })),
        ]
        let required = object.fields.filter(\.required).map { SchemaJSON.string($0.name) }
        if !required.isEmpty { members.append(("required", .array(required))) }
        var rules: [SchemaJSON] = []
        for group in object.exactlyOne {
            rules.append(.object([("oneOf", .array(group.map { .object([("required", .array([.string($0)]))]) }))]))
        }
        for group in object.atMostOne {
            rules.append(.object([("not", .object([("required", .array(group.map(SchemaJSON.string)))]))]))
        }
        if rules.count == 1, case .object(let rule) = rules[0] {
            members += rule
        } else if !rules.isEmpty {
            members.append(("allOf", .array(rules)))
        }
        return members
    }

    static func field(_ field: FieldSchema) -> SchemaJSON {
        var members: [(String, SchemaJSON)] = [("description", .string(field.description))]
        var shape = value(field.value)
        if !field.required { shape = allowingNull(shape) }
        members += shape.filter { $0.0 != "description" }
        return .object(members)
    }

    /// Adds null to a shape's types (and choices), or as another alternative.
    static func allowingNull(_ shape: [(String, SchemaJSON)]) -> [(String, SchemaJSON)] {
        guard let typeIndex = shape.firstIndex(where: { $0.0 == "type" }) else {
            return shape.map { key, value in
                guard key == "anyOf", case .array(let options) = value else { return (key, value) }
                return (key, .array(options + [.object([("type", .string("null"))])]))
            }
        }
        var shape = shape
        if case .string(let type) = shape[typeIndex].1 { shape[typeIndex].1 = .array([.string(type), .string("null")]) }
        if let enumIndex = shape.firstIndex(where: { $0.0 == "enum" }), case .array(let values) = shape[enumIndex].1 {
            shape[enumIndex].1 = .array(values + [.null])
        }
        return shape
    }

    /// List elements orbrec takes as text: numbers and booleans are their spelling.
    static let scalarItem: SchemaJSON = .object([("type", .array([.string("string"), .string("number"), .string("boolean")]))])

    static func value(_ value: ValueSchema) -> [(String, SchemaJSON)] {
        switch value {
        case .string(let nonEmpty):
            return [("type", .string("string"))] + (nonEmpty ? [("minLength", .integer(1))] : [])
        case .name:
            return [("type", .string("string")), ("pattern", .string(namePattern)), ("maxLength", .integer(ResourceName.maxLength))]
        case .integer(let minimum, let maximum):
            return [("type", .string("integer"))] + (minimum.map { [("minimum", .integer($0))] } ?? [])
                + (maximum.map { [("maximum", .integer($0))] } ?? [])
        case .number(let minimum, let maximum):
            return [("type", .string("number"))] + (minimum.map { [("minimum", .number($0))] } ?? [])
                + (maximum.map { [("maximum", .number($0))] } ?? [])
        case .boolean:
            return [("type", .string("boolean"))]
        case .duration:
            return [("type", .string("string")), ("pattern", .string(durationPattern))]
        case .choice(let values):
            return [("type", .string("string")), ("enum", .array(values.map(SchemaJSON.string)))]
        case .scalarList(let minItems):
            return [("type", .string("array")), ("items", scalarItem)] + (minItems > 0 ? [("minItems", .integer(minItems))] : [])
        case .stringList:
            return [("type", .string("array")), ("items", scalarItem)]
        case .stringMap:
            return [("type", .string("object")), ("additionalProperties", .object([("type", .string("string"))]))]
        case .integerMap(let minimum):
            return [("type", .string("object")),
                    ("additionalProperties", .object([("type", .string("integer")), ("minimum", .integer(minimum))]))]
        case .listMap:
            return [("type", .string("object")), ("minProperties", .integer(1)),
                    ("additionalProperties", .object([("type", .string("array")), ("minItems", .integer(1)), ("items", scalarItem)]))]
        case .object(let object):
            return objectMembers(object)
        case .objectList(let object, let minItems):
            return [("type", .string("array")), ("items", .object(objectMembers(object)))] + (minItems > 0 ? [("minItems", .integer(minItems))] : [])
        case .anyOf(let shapes):
            return [("anyOf", .array(shapes.map { .object(Self.value($0)) }))]
        case .expression:
            return [("type", .string("string")), ("minLength", .integer(1))]
        }
    }
}
