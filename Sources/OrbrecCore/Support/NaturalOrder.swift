/// Orders text as people count: runs of digits by their value, so task keys `2` < `10` and
/// `seed=2` < `seed=10`; other text by its characters.
public enum NaturalOrder {
    public static func less(_ lhs: String, _ rhs: String) -> Bool {
        let left = runs(lhs), right = runs(rhs)
        for (a, b) in zip(left, right) where a != b {
            switch (a, b) {
            case let (.number(x, xText), .number(y, yText)): return x == y ? xText < yText : x < y
            case (.number, .text): return true
            case (.text, .number): return false
            case let (.text(x), .text(y)): return x < y
            }
        }
        return left.count == right.count ? lhs < rhs : left.count < right.count
    }

    private enum Run: Equatable {
        case number(Double, String)
        case text(String)
    }

    private static func runs(_ text: String) -> [Run] {
        var result: [Run] = []
        var current = ""
        var inDigits = false
        for character in text {
            let digit = character.isASCII && character.isNumber
            if !current.isEmpty && digit != inDigits {
                result.append(inDigits ? .number(Double(current) ?? 0, current) : .text(current))
                current = ""
            }
            inDigits = digit
            current.append(character)
        }
        if !current.isEmpty { result.append(inDigits ? .number(Double(current) ?? 0, current) : .text(current)) }
        return result
    }
}
