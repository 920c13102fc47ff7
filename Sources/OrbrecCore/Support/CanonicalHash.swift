/// A spec's hash derived from its encoding, so that a field added to a spec is in its hash
/// without anyone remembering to add it: JSON with sorted keys and without nulls or source
/// locations, hashed by `StableHasher`, the same on every host and every run.
///
/// What else a hash must not see is named at the call, with the reason beside it: limits
/// that are not properties of what the spec makes (a template's `maxMachines`), fields
/// applied in place, what the host reading the file fills in. A dictionary is written in
/// key order; a `Set` would be written in its own order, so specs hold none.
public enum CanonicalHash {
    /// The hash of `value`'s encoding without the fields at `excluding`: dotted paths of keys,
    /// where `[]` stands for every element of a list (`steps[].location`).
    public static func of(_ value: some Encodable, excluding: [String] = []) -> String {
        StableHasher.digest(text(of: value, excluding: excluding))
    }

    /// The canonical text itself, for tests and for telling why two hashes differ.
    public static func text(of value: some Encodable, excluding: [String] = []) -> String {
        var tree = self.tree(of: value)
        for path in excluding {
            tree.remove(path.split(separator: ".").map(String.init)[...])
        }
        var output = ""
        tree.write(to: &output)
        return output
    }
}

extension CanonicalHash {
    /// `value` as a tree. Every spec is plain data, so its encoding cannot fail; were it to,
    /// the error's text stands for it, which still changes with the value.
    static func tree(of value: some Encodable) -> CanonicalValue {
        let root = CanonicalEncoder.Node()
        do {
            try value.encode(to: CanonicalEncoder(node: root, path: []))
        } catch {
            return .string("encoding-failed:\(error)")
        }
        return root.value
    }
}

/// A JSON value as `CanonicalHash` writes it; an object keeps its fields in the order they
/// were encoded (declaration order), which `write` sorts and plan diffs keep.
indirect enum CanonicalValue {
    case null
    case string(String)
    /// A number or boolean as written.
    case literal(String)
    case array([CanonicalValue])
    case object([Field])

    struct Field {
        var key: String
        var value: CanonicalValue
    }

    mutating func remove(_ path: ArraySlice<String>) {
        guard let first = path.first, case .object(var fields) = self else { return }
        let rest = path.dropFirst()
        let isEach = first.hasSuffix("[]")
        let key = isEach ? String(first.dropLast(2)) : first
        guard let index = fields.firstIndex(where: { $0.key == key }) else { return }
        if isEach {
            guard case .array(var items) = fields[index].value else { return }
            for item in items.indices { items[item].remove(rest) }
            fields[index].value = .array(items)
        } else if rest.isEmpty {
            fields.remove(at: index)
        } else {
            fields[index].value.remove(rest)
        }
        self = .object(fields)
    }

    /// Keys sorted; a null field is left out, so an absent optional and an explicit null agree.
    func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .string(let text): output += Self.quoted(text)
        case .literal(let text): output += text
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.write(to: &output)
            }
            output += "]"
        case .object(let fields):
            output += "{"
            var first = true
            for field in fields.sorted(by: { $0.key < $1.key }) {
                if case .null = field.value { continue }
                if !first { output += "," }
                first = false
                output += Self.quoted(field.key) + ":"
                field.value.write(to: &output)
            }
            output += "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
