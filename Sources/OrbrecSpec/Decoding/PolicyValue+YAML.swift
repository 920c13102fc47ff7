internal import OrbrecCore
internal import Yams

extension PolicyValue {
    /// A document's node as policy expressions see it: scalars typed as YAML 1.2's core
    /// schema types them (`3` an int, `"3"` a string), mappings with string keys.
    init(yaml node: Node) {
        switch node {
        case .scalar(let scalar):
            let text = scalar.string
            switch ScalarKind(scalar) {
            case .null: self = .null
            case .boolean: self = .bool(text.lowercased() == "true")
            case .integer: self = MappingReader.parseInteger(text).map { .int(Int64($0)) } ?? .string(text)
            case .number: self = Double(text).map(PolicyValue.double) ?? .string(text)
            default: self = .string(text)
            }
        case .mapping(let mapping):
            var fields: [String: PolicyValue] = [:]
            for (key, value) in mapping {
                fields[key.scalar?.string ?? ""] = PolicyValue(yaml: value)
            }
            self = .map(fields)
        case .sequence(let sequence):
            self = .list(sequence.map { PolicyValue(yaml: $0) })
        case .alias:
            self = .null
        }
    }
}
