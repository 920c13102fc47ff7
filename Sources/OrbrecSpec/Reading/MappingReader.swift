internal import OrbrecCore
internal import Yams

/// Reads the fields of one YAML mapping with strict checks: unknown keys (with a
/// suggestion), wrong types and bad values all become diagnostics at the exact spot.
struct MappingReader {
    /// The mapping this one is the value of, for a key written one level too deep.
    struct Parent {
        let node: Node
        let mapping: Node.Mapping
        let schema: ObjectSchema
        /// How a hint names the parent's level: `the top of the document`, `spec`.
        let name: String
    }

    let node: Node
    let mapping: Node.Mapping
    /// The dotted path of this mapping, for messages (`spec.updateStrategy`).
    let path: String
    let context: DecodeContext
    /// The fields this mapping may have; nil for mappings whose keys the user chooses.
    let schema: ObjectSchema?

    /// Reads `node` as a mapping of the fields of `schema`; reports unknown keys, with where
    /// each one more likely belongs: a misspelt sibling, a field of a mapping below it (a key
    /// indented too little) or of its parent (indented too much).
    init?(_ node: Node, path: String, schema: ObjectSchema, owner: String, context: DecodeContext, parent: Parent? = nil) {
        self.init(node, path: path, known: schema.names, schema: schema, parent: parent, owner: owner, context: context)
    }

    /// A second reader of a mapping an earlier reader checked against a wider schema (every
    /// provider type's fields): reports only the keys `recheck` selects, those the earlier
    /// reader knew but this schema does not, with `hint` saying where such a key belongs.
    init?(_ node: Node, path: String, schema: ObjectSchema, owner: String, context: DecodeContext, parent: Parent? = nil,
          recheck: (String) -> Bool, hint: @escaping (String) -> String) {
        self.init(node, path: path, known: schema.names, schema: schema, parent: parent, owner: owner, context: context,
                  recheck: recheck, elsewhere: hint)
    }

    /// Reads `node` as a mapping whose allowed keys are `known`; reports unknown keys.
    /// Returns nil (after reporting) when the node is not a mapping.
    init?(_ node: Node, path: String, known: [String], owner: String, context: DecodeContext) {
        self.init(node, path: path, known: known, schema: nil, parent: nil, owner: owner, context: context)
    }

    private init?(_ node: Node, path: String, known: [String], schema: ObjectSchema?, parent: Parent?, owner: String, context: DecodeContext,
                  recheck: (String) -> Bool = { _ in true }, elsewhere: ((String) -> String)? = nil) {
        guard case .mapping(let mapping) = node else {
            let what = path.isEmpty ? "a document must be a mapping with apiVersion, kind, metadata and spec" : "\(path) must be a mapping"
            context.error("wrong-type", "\(what), not \(node.foundDescription)", at: node)
            return nil
        }
        self.node = node
        self.mapping = mapping
        self.path = path
        self.context = context
        self.schema = schema
        for key in mapping.keys {
            guard case .scalar(let scalar) = key else {
                context.error("wrong-type", "keys of \(path) must be strings", at: key)
                continue
            }
            if !known.contains(scalar.string) && recheck(scalar.string) {
                let hint = elsewhere.map { $0(scalar.string) } ?? hint(for: scalar.string, known: known, parent: parent)
                context.error("unknown-field", "unknown field '\(scalar.string)' in \(owner)\(hint)", at: key)
            }
        }
    }

    /// Where an unknown key likely belongs, as the end of its message. The field it stands
    /// for is marked as explained, so that it is not reported again as missing.
    private func hint(for key: String, known: [String], parent: Parent?) -> String {
        if let schema {
            for field in schema.fields {
                guard case .object(let child) = field.value, child[key] != nil else { continue }
                let childNode = lookup(field.name)
                if let childNode, case .mapping(let written) = childNode {
                    if Self.contains(written, key) { continue }
                    context.explain(key, in: childNode)
                } else {
                    context.explain(field.name, in: node)
                }
                return "; did you mean to indent '\(key)' under \(field.name)?"
            }
        }
        if let parent, parent.schema[key] != nil, !Self.contains(parent.mapping, key) {
            context.explain(key, in: parent.node)
            return "; did you mean to unindent '\(key)' to \(parent.name)?"
        }
        guard let close = Suggestion.closest(to: key, among: known) else { return "" }
        context.explain(close, in: node)
        return "; did you mean '\(close)'?"
    }

    private static func contains(_ mapping: Node.Mapping, _ key: String) -> Bool {
        mapping.keys.contains { $0.scalar?.string == key }
    }

    /// This mapping as the parent of the mappings below it.
    var asParent: Parent? {
        schema.map { Parent(node: node, mapping: mapping, schema: $0, name: path.isEmpty ? "the top of the document" : "the level of \(path)") }
    }

    /// Whether a hint already said where `key` of this mapping was written instead.
    func isExplained(_ key: String) -> Bool { context.isExplained(key, in: node) }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value of the key written as `key`. Not Yams' `mapping[key]`: that compares whole
    /// nodes, resolving each key's tag by regular expressions, which was most of the time of
    /// loading 20,000 documents.
    private func lookup(_ key: String) -> Node? {
        assert(schema == nil || schema?[key] != nil, "\(path).\(key) is read but not in the field table")
        for (candidate, value) in mapping {
            if case .scalar(let scalar) = candidate, scalar.string == key { return value }
        }
        return nil
    }

    /// The value node of `key`, treating an explicit null like an absent key.
    func value(_ key: String) -> Node? {
        guard let value = lookup(key) else { return nil }
        if case .scalar(let scalar) = value, ScalarKind(scalar) == .null { return nil }
        return value
    }

    func location(of key: String) -> SourceLocation? {
        lookup(key).flatMap(context.location(of:))
    }

    /// Where each key the user wrote has its value, for checks made after decoding.
    var fieldLocations: [String: SourceLocation] {
        var locations: [String: SourceLocation] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string, locations[name] == nil, let location = context.location(of: value) else { continue }
            locations[name] = location
        }
        return locations
    }

    func requireValue(_ key: String, in owner: String) -> Node? {
        guard let node = value(key) else {
            if isExplained(key) { return nil }
            context.error("missing-field", "\(owner) is missing required field '\(field(key))'", at: self.node)
            return nil
        }
        return node
    }

    private func scalar(_ key: String, _ node: Node, expected: ScalarKind) -> String? {
        guard case .scalar(let scalar) = node, ScalarKind(scalar) == expected else {
            let hint = expected == .string && isScalar(node) ? "; quote it to make it a string" : ""
            context.error("wrong-type", "\(field(key)) must be \(expected.noun), not \(node.foundDescription)\(hint)", at: node)
            return nil
        }
        return scalar.string
    }

    private func isScalar(_ node: Node) -> Bool {
        if case .scalar = node { return true }
        return false
    }

    func string(_ key: String) -> String? {
        value(key).flatMap { scalar(key, $0, expected: .string) }
    }

    func nonEmptyString(_ key: String) -> String? {
        guard let text = string(key) else { return nil }
        if text.isEmpty {
            context.error("invalid-value", "\(field(key)) must not be empty", at: value(key))
            return nil
        }
        return text
    }

    func integer(_ key: String, minimum: Int? = nil) -> Int? {
        guard let node = value(key), let text = scalar(key, node, expected: .integer) else { return nil }
        guard let number = Self.parseInteger(text) else {
            context.error("wrong-type", "\(field(key)) must be an integer, not \(node.foundDescription)", at: node)
            return nil
        }
        if let minimum, number < minimum {
            context.error("invalid-value", "\(field(key)) must be \(minimum) or more, not \(number)", at: node)
            return nil
        }
        return number
    }

    static func parseInteger(_ text: String) -> Int? {
        if let value = Int(text) { return value }
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        return nil
    }

    func number(_ key: String, minimum: Double? = nil, maximum: Double? = nil) -> Double? {
        guard let node = value(key) else { return nil }
        guard case .scalar(let scalar) = node, [.integer, .number].contains(ScalarKind(scalar)), let number = Double(scalar.string) else {
            context.error("wrong-type", "\(field(key)) must be a number, not \(node.foundDescription)", at: node)
            return nil
        }
        let shown = { (value: Double) in value == value.rounded() ? String(Int(value)) : String(value) }
        if let minimum, number < minimum {
            context.error("invalid-value", "\(field(key)) must be \(shown(minimum)) or more, not \(scalar.string)", at: node)
            return nil
        }
        if let maximum, number > maximum {
            context.error("invalid-value", "\(field(key)) must be \(shown(maximum)) or less, not \(scalar.string)", at: node)
            return nil
        }
        return number
    }

    /// A positive decimal number kept as written (`0.05`), for values passed on as text.
    func decimalText(_ key: String) -> String? {
        guard let node = value(key) else { return nil }
        guard case .scalar(let scalar) = node, [.integer, .number].contains(ScalarKind(scalar)), let number = Double(scalar.string) else {
            context.error("wrong-type", "\(field(key)) must be a number, not \(node.foundDescription)", at: node)
            return nil
        }
        guard number > 0 else {
            context.error("invalid-value", "\(field(key)) must be more than 0, not \(scalar.string)", at: node)
            return nil
        }
        return scalar.string
    }

    func boolean(_ key: String) -> Bool? {
        guard let node = value(key), let text = scalar(key, node, expected: .boolean) else { return nil }
        return text.lowercased() == "true"
    }

    func duration(_ key: String) -> ConfigDuration? {
        guard let node = value(key) else { return nil }
        guard case .scalar(let scalar) = node, ScalarKind(scalar) == .string || ScalarKind(scalar) == .integer else {
            context.error("wrong-type", "\(field(key)) must be a duration such as 90s, not \(node.foundDescription)", at: node)
            return nil
        }
        guard let duration = ConfigDuration(parsing: scalar.string) else {
            context.error(
                "invalid-duration",
                "\(field(key)): '\(scalar.string)' is not a duration; write a number with a unit, like 500ms, 90s, 5m, 2h or 1h30m",
                at: node)
            return nil
        }
        return duration
    }

    /// - Parameter allowed: the values a user may write, when not all of them (default: all).
    func choice<Value: RawRepresentable & CaseIterable>(_ key: String, as type: Value.Type, among allowed: [Value]? = nil) -> Value?
    where Value.RawValue == String {
        guard let node = value(key), let text = scalar(key, node, expected: .string) else { return nil }
        let candidates = allowed ?? Array(Value.allCases)
        if let value = candidates.first(where: { $0.rawValue == text }) { return value }
        let options = candidates.map(\.rawValue)
        context.error(
            "invalid-value",
            "\(field(key)) must be one of \(options.joined(separator: ", ")), not '\(text)'\(Suggestion.didYouMean(text, among: options))",
            at: node)
        return nil
    }

    /// A list of scalars with where each was written.
    func scalarList(_ key: String) -> [(String, SourceLocation?)]? {
        guard let node = value(key) else { return nil }
        guard case .sequence(let sequence) = node else {
            context.error("wrong-type", "\(field(key)) must be a list, not \(node.foundDescription)", at: node)
            return nil
        }
        var items: [(String, SourceLocation?)] = []
        var valid = true
        for (index, item) in sequence.enumerated() {
            guard case .scalar(let scalar) = item, ScalarKind(scalar) != .null else {
                context.error("wrong-type", "\(field(key))[\(index)] must be a string, not \(item.foundDescription)", at: item)
                valid = false
                continue
            }
            items.append((scalar.string, context.location(of: item)))
        }
        return valid ? items : nil
    }

    func stringList(_ key: String) -> [String]? {
        guard let node = value(key) else { return nil }
        guard case .sequence(let sequence) = node else {
            context.error("wrong-type", "\(field(key)) must be a list of strings, not \(node.foundDescription)", at: node)
            return nil
        }
        var items: [String] = []
        var valid = true
        for (index, item) in sequence.enumerated() {
            guard case .scalar(let scalar) = item, ScalarKind(scalar) != .null else {
                context.error("wrong-type", "\(field(key))[\(index)] must be a string, not \(item.foundDescription)", at: item)
                valid = false
                continue
            }
            // Argv elements may be plain numbers (`sleep 30`): they are text to the process.
            items.append(scalar.string)
        }
        return valid ? items : nil
    }

    func stringMap(_ key: String) -> [String: String]? {
        guard let node = value(key) else { return nil }
        guard case .mapping(let mapping) = node else {
            context.error("wrong-type", "\(field(key)) must be a mapping of strings, not \(node.foundDescription)", at: node)
            return nil
        }
        var result: [String: String] = [:]
        var valid = true
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                context.error("wrong-type", "keys of \(field(key)) must be strings", at: keyNode)
                valid = false
                continue
            }
            guard case .scalar(let scalar) = valueNode, ScalarKind(scalar) == .string else {
                let hint = isScalar(valueNode) ? "; quote it to make it a string" : ""
                context.error(
                    "wrong-type",
                    "\(field(key)).\(keyScalar.string) must be a string, not \(valueNode.foundDescription)\(hint)",
                    at: valueNode)
                valid = false
                continue
            }
            result[keyScalar.string] = scalar.string
        }
        return valid ? result : nil
    }

    func integerMap(_ key: String, minimum: Int) -> [String: Int]? {
        guard let node = value(key) else { return nil }
        guard case .mapping(let mapping) = node else {
            context.error("wrong-type", "\(field(key)) must be a mapping of integers, not \(node.foundDescription)", at: node)
            return nil
        }
        var result: [String: Int] = [:]
        var valid = true
        for (keyNode, valueNode) in mapping {
            let name = keyNode.scalar?.string ?? "?"
            guard case .scalar(let scalar) = valueNode, ScalarKind(scalar) == .integer,
                  let number = Self.parseInteger(scalar.string) else {
                context.error("wrong-type", "\(field(key)).\(name) must be an integer, not \(valueNode.foundDescription)", at: valueNode)
                valid = false
                continue
            }
            if number < minimum {
                context.error("invalid-value", "\(field(key)).\(name) must be \(minimum) or more, not \(number)", at: valueNode)
                valid = false
                continue
            }
            result[name] = number
        }
        return valid ? result : nil
    }

    /// A nested mapping with its own allowed keys.
    func mapping(_ key: String, known: [String], owner: String) -> MappingReader? {
        guard let node = value(key) else { return nil }
        return MappingReader(node, path: field(key), known: known, owner: owner, context: context)
    }

    /// A nested mapping with the fields its table gives (the first mapping of an `anyOf`
    /// unless `schema` names another).
    func mapping(_ key: String, schema: ObjectSchema? = nil, owner: String) -> MappingReader? {
        guard let node = value(key), let child = schema ?? self.schema?.child(key) else { return nil }
        return MappingReader(node, path: field(key), schema: child, owner: owner, context: context, parent: asParent)
    }
}
