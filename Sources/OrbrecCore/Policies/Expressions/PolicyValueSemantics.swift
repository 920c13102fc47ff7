/// Equality and ordering as expressions see them, which differ from Swift's `==` on
/// `PolicyValue`: `1 == 1.0` holds, and strings compare by Unicode scalars like CEL.
enum PolicyValueSemantics {
    /// Never fails on mismatched types (they are simply unequal); only the budget can stop it,
    /// since comparing large lists is real work.
    static func equal(_ left: PolicyValue, _ right: PolicyValue, meter: inout ExpressionCostMeter, at offset: Int) throws(ExpressionError) -> Bool {
        switch (left, right) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)): return compare(a, b) == 0
        case (.double(let a), .int(let b)): return compare(b, a) == 0
        case (.string(let a), .string(let b)):
            try meter.charge(forText: a, at: offset)
            return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.list(let a), .list(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) {
                try meter.charge(at: offset)
                guard try equal(x, y, meter: &meter, at: offset) else { return false }
            }
            return true
        case (.map(let a), .map(let b)):
            guard a.count == b.count else { return false }
            for (key, x) in a {
                try meter.charge(at: offset)
                guard let y = b[key], try equal(x, y, meter: &meter, at: offset) else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// Negative, zero or positive; nil when a NaN makes the values unordered.
    static func compare(_ left: PolicyValue, _ right: PolicyValue, symbol: String, at offset: Int) throws(ExpressionError) -> Int? {
        switch (left, right) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.double(let a), .double(let b)):
            guard !a.isNaN, !b.isNaN else { return nil }
            return a < b ? -1 : (a == b ? 0 : 1)
        case (.int(let a), .double(let b)): return compare(a, b)
        case (.double(let a), .int(let b)): return compare(b, a).map { -$0 }
        case (.string(let a), .string(let b)):
            if a.unicodeScalars.elementsEqual(b.unicodeScalars) { return 0 }
            return PolicyValue.scalarOrder(a, b) ? -1 : 1
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (!a ? -1 : 1)
        default:
            throw .runtime("'\(symbol)' cannot compare \(left.typeName) and \(right.typeName)", at: offset)
        }
    }

    /// Exact int-to-double comparison; converting the int to Double would lose precision
    /// above 2^53 and call unequal values equal.
    static func compare(_ integer: Int64, _ real: Double) -> Int? {
        guard !real.isNaN else { return nil }
        if real >= 9_223_372_036_854_775_808.0 { return -1 }
        if real < -9_223_372_036_854_775_808.0 { return 1 }
        let whole = real.rounded(.towardZero)
        let truncated = Int64(whole)
        if integer != truncated { return integer < truncated ? -1 : 1 }
        let fraction = real - whole
        return fraction > 0 ? -1 : (fraction < 0 ? 1 : 0)
    }
}
