extension PolicyValue {
    /// The most text one value may render to: a message is for people, and a value shared by
    /// reference (a list nested in itself by `map`) must not unfold into gigabytes.
    static let renderLimit = 65_536

    /// `description`, paid for step by step as it is written, and refused past `renderLimit`.
    func rendered(meter: inout ExpressionCostMeter, at offset: Int) throws(ExpressionError) -> String {
        if case .string(let text) = self {
            try meter.charge(forText: text, at: offset)
            guard text.utf8.count <= Self.renderLimit else { throw Self.tooLarge(at: offset) }
            return text
        }
        var output = ""
        try appendRendered(to: &output, meter: &meter, at: offset)
        return output
    }

    private func appendRendered(to output: inout String, meter: inout ExpressionCostMeter, at offset: Int) throws(ExpressionError) {
        try meter.charge(1, at: offset)
        guard output.utf8.count <= Self.renderLimit else { throw Self.tooLarge(at: offset) }
        switch self {
        case .string(let value):
            try meter.charge(forText: value, at: offset)
            output += Self.quoted(value)
        case .list(let elements):
            output += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { output += ", " }
                try element.appendRendered(to: &output, meter: &meter, at: offset)
            }
            output += "]"
        case .map(let entries):
            try meter.charge(entries.count, at: offset)
            output += "{"
            for (position, key) in entries.keys.sorted(by: Self.scalarOrder).enumerated() {
                if position > 0 { output += ", " }
                try meter.charge(forText: key, at: offset)
                output += Self.quoted(key)
                output += ": "
                try entries[key]?.appendRendered(to: &output, meter: &meter, at: offset)
            }
            output += "}"
        default:
            output += literal
        }
    }

    private static func tooLarge(at offset: Int) -> ExpressionError {
        ExpressionError(code: ExpressionError.runtimeCode, message: "the value is too large to render (over 64 KiB)", offset: offset)
    }
}
