import Foundation

/// Checks JSON values against the part of JSON Schema (2020-12, as OpenAPI 3.1 has it) that
/// orbrec's OpenAPI document uses: `$ref` into the document, `type`, `enum`, `const`,
/// `properties`, `required`, `additionalProperties`, `items`, `allOf`/`anyOf`/`oneOf`, and the
/// bounds on strings, numbers and arrays. A keyword it does not know is a problem too, so a
/// document that starts using one fails loudly instead of passing unchecked.
///
/// With `closedObjects`, an object schema that lists `properties` and says nothing of
/// `additionalProperties` allows no other member: a field an answer carries but the document
/// does not describe is drift.
public struct JSONSchemaValidator: Sendable {
    public let document: JSONValue
    public var closedObjects: Bool

    /// Keywords that describe and constrain nothing.
    static let annotations: Set<String> = [
        "description", "title", "example", "examples", "default", "deprecated", "readOnly", "writeOnly", "format", "$comment",
        "externalDocs",
    ]

    public init(document: JSONValue, closedObjects: Bool = true) {
        self.document = document
        self.closedObjects = closedObjects
    }

    /// What is wrong with `value` against `schema`, each problem prefixed with where it is
    /// (`$.machines[0].state`); empty when the value conforms.
    public func problems(_ value: JSONValue, against schema: JSONValue, at path: String = "$") -> [String] {
        var problems: [String] = []
        check(value, schema, path, &problems, depth: 0)
        return problems
    }

    /// The value at a JSON pointer of the document (`#/components/schemas/Machine`).
    public func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node = document
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch node {
            case .object(let members):
                guard let next = members[key] else { return nil }
                node = next
            case .array(let items):
                guard let index = Int(key), items.indices.contains(index) else { return nil }
                node = items[index]
            default:
                return nil
            }
        }
        return node
    }

    func check(_ value: JSONValue, _ schema: JSONValue, _ path: String, _ problems: inout [String], depth: Int) {
        guard depth < 64 else { problems.append("\(path): $ref nesting too deep (a cycle?)"); return }
        if case .bool(let allowed) = schema {
            if !allowed { problems.append("\(path): no value is allowed here") }
            return
        }
        guard let keywords = schema.object else { problems.append("\(path): the schema is not an object: \(schema)"); return }
        for keyword in keywords.keys.sorted() where !Self.known.contains(keyword) && !Self.annotations.contains(keyword) {
            problems.append("\(path): the schema uses \(keyword), which this validator does not check")
        }
        if let reference = keywords["$ref"]?.string {
            guard let target = resolve(reference) else { problems.append("\(path): $ref \(reference) names nothing"); return }
            check(value, target, path, &problems, depth: depth + 1)
        }
        if let types = keywords["type"] {
            let allowed = types.array?.compactMap(\.string) ?? types.string.map { [$0] } ?? []
            let actual = value.typeName
            guard allowed.contains(actual) || (actual == "integer" && allowed.contains("number")) else {
                problems.append("\(path): \(actual) \(Self.shown(value)), but the schema says \(allowed.joined(separator: " or "))")
                return
            }
        }
        if let options = keywords["enum"]?.array, !options.contains(value) {
            problems.append("\(path): \(Self.shown(value)) is not one of \(options.map(\.description).joined(separator: ", "))")
        }
        if let constant = keywords["const"], constant != value {
            problems.append("\(path): \(Self.shown(value)) is not \(constant)")
        }
        checkCombinations(value, keywords, path, &problems, depth: depth)
        switch value {
        case .string(let text): checkString(text, keywords, path, &problems)
        case .number(let number): checkNumber(number, keywords, path, &problems)
        case .array(let items): checkArray(items, keywords, path, &problems, depth: depth)
        case .object(let members): checkObject(members, keywords, path, &problems, depth: depth)
        case .null, .bool: break
        }
    }

    static let known: Set<String> = [
        "$ref", "type", "enum", "const", "properties", "required", "additionalProperties", "items", "allOf", "anyOf", "oneOf",
        "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
        "uniqueItems", "minProperties", "maxProperties",
    ]

    func checkCombinations(_ value: JSONValue, _ keywords: [String: JSONValue], _ path: String, _ problems: inout [String], depth: Int) {
        for schema in keywords["allOf"]?.array ?? [] {
            check(value, schema, path, &problems, depth: depth + 1)
        }
        if let choices = keywords["anyOf"]?.array {
            let fits = choices.filter { self.problems(value, against: $0, at: path).isEmpty }
            if fits.isEmpty { problems.append("\(path): \(Self.shown(value)) matches none of anyOf's \(choices.count) schemas") }
        }
        if let choices = keywords["oneOf"]?.array {
            let fits = choices.filter { self.problems(value, against: $0, at: path).isEmpty }.count
            if fits != 1 { problems.append("\(path): \(Self.shown(value)) matches \(fits) of oneOf's \(choices.count) schemas, not exactly one") }
        }
    }

    func checkString(_ text: String, _ keywords: [String: JSONValue], _ path: String, _ problems: inout [String]) {
        // JSON Schema counts characters as code points.
        let length = text.unicodeScalars.count
        if let minimum = Self.number(keywords["minLength"]), Double(length) < minimum {
            problems.append("\(path): \(length) character(s), under minLength \(Int(minimum))")
        }
        if let maximum = Self.number(keywords["maxLength"]), Double(length) > maximum {
            problems.append("\(path): \(length) character(s), over maxLength \(Int(maximum))")
        }
        if let pattern = keywords["pattern"]?.string {
            if let expression = try? NSRegularExpression(pattern: pattern) {
                let range = NSRange(text.startIndex..., in: text)
                if expression.firstMatch(in: text, range: range) == nil {
                    problems.append("\(path): \(Self.shown(.string(text))) does not match \(pattern)")
                }
            } else {
                problems.append("\(path): the pattern \(pattern) does not compile")
            }
        }
    }

    func checkNumber(_ number: Double, _ keywords: [String: JSONValue], _ path: String, _ problems: inout [String]) {
        if let minimum = Self.number(keywords["minimum"]), number < minimum { problems.append("\(path): \(number) is under minimum \(minimum)") }
        if let maximum = Self.number(keywords["maximum"]), number > maximum { problems.append("\(path): \(number) is over maximum \(maximum)") }
        if let bound = Self.number(keywords["exclusiveMinimum"]), number <= bound { problems.append("\(path): \(number) is not over \(bound)") }
        if let bound = Self.number(keywords["exclusiveMaximum"]), number >= bound { problems.append("\(path): \(number) is not under \(bound)") }
    }

    func checkArray(_ items: [JSONValue], _ keywords: [String: JSONValue], _ path: String, _ problems: inout [String], depth: Int) {
        if let minimum = Self.number(keywords["minItems"]), Double(items.count) < minimum {
            problems.append("\(path): \(items.count) item(s), under minItems \(Int(minimum))")
        }
        if let maximum = Self.number(keywords["maxItems"]), Double(items.count) > maximum {
            problems.append("\(path): \(items.count) item(s), over maxItems \(Int(maximum))")
        }
        if keywords["uniqueItems"] == .bool(true), Set(items).count != items.count { problems.append("\(path): the items are not unique") }
        if let schema = keywords["items"] {
            for (index, item) in items.enumerated() { check(item, schema, "\(path)[\(index)]", &problems, depth: depth + 1) }
        }
    }

    func checkObject(_ members: [String: JSONValue], _ keywords: [String: JSONValue], _ path: String, _ problems: inout [String], depth: Int) {
        for name in keywords["required"]?.array?.compactMap(\.string) ?? [] where members[name] == nil {
            problems.append("\(path): the required member \(name) is missing")
        }
        if let minimum = Self.number(keywords["minProperties"]), Double(members.count) < minimum {
            problems.append("\(path): \(members.count) member(s), under minProperties \(Int(minimum))")
        }
        if let maximum = Self.number(keywords["maxProperties"]), Double(members.count) > maximum {
            problems.append("\(path): \(members.count) member(s), over maxProperties \(Int(maximum))")
        }
        let properties = keywords["properties"]?.object ?? [:]
        for name in members.keys.sorted() {
            let member = members[name]!
            if let schema = properties[name] {
                check(member, schema, "\(path).\(name)", &problems, depth: depth + 1)
            } else if let additional = keywords["additionalProperties"] {
                check(member, additional, "\(path).\(name)", &problems, depth: depth + 1)
            } else if closedObjects && keywords["properties"] != nil {
                problems.append("\(path): the member \(name) is not in the schema's properties")
            }
        }
    }

    static func number(_ value: JSONValue?) -> Double? {
        if case .number(let number) = value { return number }
        return nil
    }

    static func shown(_ value: JSONValue) -> String {
        let text = value.description
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }
}
