extension PolicyValue: CustomStringConvertible {
    /// Templates interpolate values into prose, so a top-level string renders raw; everything
    /// else renders as a CEL literal, which `PolicyExpression` parses back to the same value.
    public var description: String {
        if case .string(let text) = self { return text }
        return literal
    }

    /// CEL literal syntax; map keys are sorted so the rendering is stable across runs.
    var literal: String {
        var output = ""
        appendLiteral(to: &output)
        return output
    }

    private func appendLiteral(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value): output += value.description
        case .string(let value): output += Self.quoted(value)
        case .list(let elements):
            output += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { output += ", " }
                element.appendLiteral(to: &output)
            }
            output += "]"
        case .map(let entries):
            output += "{"
            for (position, key) in entries.keys.sorted(by: Self.scalarOrder).enumerated() {
                if position > 0 { output += ", " }
                output += Self.quoted(key)
                output += ": "
                entries[key]?.appendLiteral(to: &output)
            }
            output += "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                output += "\\u" + Self.hex(scalar.value, digits: 4)
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// Orders by Unicode scalar values, as CEL does, rather than by Swift's canonical ordering.
    static func scalarOrder(_ left: String, _ right: String) -> Bool {
        left.unicodeScalars.lexicographicallyPrecedes(right.unicodeScalars) { $0.value < $1.value }
    }
}
