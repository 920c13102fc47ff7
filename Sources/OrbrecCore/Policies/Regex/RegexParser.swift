/// Parses the RE2 subset described in EXPRESSIONS.md. Group nesting is capped so that the
/// recursive descent (and the compiler's walk of the result) cannot exhaust the stack.
struct RegexParser {
    static let maximumRepeat = 100
    static let maximumGroupDepth = 32

    private let scalars: [UInt32]
    private var index = 0
    private var groupDepth = 0

    init(_ pattern: String) {
        scalars = pattern.unicodeScalars.map(\.value)
    }

    mutating func parse() throws(RegexSyntaxError) -> RegexNode {
        let node = try parseAlternation()
        if index < scalars.count { throw RegexSyntaxError(message: "unexpected ')'", offset: index) }
        return node
    }

    private func peek(_ distance: Int = 0) -> UInt32? {
        index + distance < scalars.count ? scalars[index + distance] : nil
    }

    private static func code(_ character: Unicode.Scalar) -> UInt32 { character.value }

    private mutating func parseAlternation() throws(RegexSyntaxError) -> RegexNode {
        var branches = [try parseConcatenation()]
        while peek() == Self.code("|") {
            index += 1
            branches.append(try parseConcatenation())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcatenation() throws(RegexSyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while let next = peek(), next != Self.code("|"), next != Self.code(")") {
            items.append(try parseRepetition())
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concatenation(items)
        }
    }

    private mutating func parseRepetition() throws(RegexSyntaxError) -> RegexNode {
        var node = try parseAtom()
        var repeated = false
        while let next = peek() {
            let start = index
            let bounds: (Int, Int?)
            switch next {
            case Self.code("*"): index += 1; bounds = (0, nil)
            case Self.code("+"): index += 1; bounds = (1, nil)
            case Self.code("?"): index += 1; bounds = (0, 1)
            case Self.code("{"):
                guard let counted = try parseCountedRepeat() else { return node }
                bounds = counted
            default:
                return node
            }
            if repeated { throw RegexSyntaxError(message: "repetition operator follows another", offset: start) }
            repeated = true
            // A lazy marker changes which match is found, not whether one exists.
            if peek() == Self.code("?") { index += 1 }
            node = .repetition(node, minimum: bounds.0, maximum: bounds.1)
        }
        return node
    }

    /// `{m}`, `{m,}` or `{m,n}`; anything else after `{` is a literal brace, as in RE2.
    private mutating func parseCountedRepeat() throws(RegexSyntaxError) -> (Int, Int?)? {
        let start = index
        var cursor = index + 1
        func number() -> Int? {
            var value = 0
            var digits = 0
            while cursor < scalars.count, scalars[cursor] >= 48, scalars[cursor] <= 57, digits < 9 {
                value = value * 10 + Int(scalars[cursor] - 48)
                digits += 1
                cursor += 1
            }
            return digits > 0 ? value : nil
        }
        guard let minimum = number() else { return nil }
        var maximum: Int? = minimum
        if cursor < scalars.count, scalars[cursor] == Self.code(",") {
            cursor += 1
            maximum = number()
        }
        guard cursor < scalars.count, scalars[cursor] == Self.code("}") else { return nil }
        index = cursor + 1
        if minimum > Self.maximumRepeat || (maximum ?? 0) > Self.maximumRepeat {
            throw RegexSyntaxError(message: "repeat count exceeds \(Self.maximumRepeat)", offset: start)
        }
        if let maximum, maximum < minimum {
            throw RegexSyntaxError(message: "invalid repeat range {\(minimum),\(maximum)}", offset: start)
        }
        return (minimum, maximum)
    }

    private mutating func parseAtom() throws(RegexSyntaxError) -> RegexNode {
        let start = index
        let next = scalars[index]
        index += 1
        switch next {
        case Self.code("("):
            return try parseGroup(start: start)
        case Self.code("["):
            return .set(try parseClass(start: start))
        case Self.code("."):
            return .anyExceptNewline
        case Self.code("^"):
            return .startOfText
        case Self.code("$"):
            return .endOfText
        case Self.code("\\"):
            return try parseEscape(start: start, inClass: false)
        case Self.code("*"), Self.code("+"), Self.code("?"):
            throw RegexSyntaxError(message: "missing argument to repetition operator", offset: start)
        case Self.code("{"):
            index = start
            if try parseCountedRepeat() != nil {
                throw RegexSyntaxError(message: "missing argument to repetition operator", offset: start)
            }
            index = start + 1
            return .scalar(next)
        default:
            return .scalar(next)
        }
    }

    private mutating func parseGroup(start: Int) throws(RegexSyntaxError) -> RegexNode {
        if peek() == Self.code("?") {
            guard peek(1) == Self.code(":") else {
                throw RegexSyntaxError(message: "unsupported group syntax; only (?:...) is allowed", offset: start)
            }
            index += 2
        }
        groupDepth += 1
        defer { groupDepth -= 1 }
        if groupDepth > Self.maximumGroupDepth {
            throw RegexSyntaxError(message: "groups nest deeper than \(Self.maximumGroupDepth) levels", offset: start)
        }
        let inner = try parseAlternation()
        guard peek() == Self.code(")") else { throw RegexSyntaxError(message: "missing ')'", offset: start) }
        index += 1
        return inner
    }

    private mutating func parseClass(start: Int) throws(RegexSyntaxError) -> RegexCharacterSet {
        var negated = false
        if peek() == Self.code("^") {
            negated = true
            index += 1
        }
        var members = RegexCharacterSet([])
        var first = true
        while true {
            guard let next = peek() else { throw RegexSyntaxError(message: "missing ']'", offset: start) }
            if next == Self.code("]"), !first { index += 1; break }
            first = false
            let itemStart = index
            let low = try parseClassItem()
            guard peek() == Self.code("-"), let after = peek(1), after != Self.code("]") else {
                members = members.union(low)
                continue
            }
            index += 1
            let high = try parseClassItem()
            guard let lowScalar = low.singleScalar, let highScalar = high.singleScalar, lowScalar <= highScalar else {
                throw RegexSyntaxError(message: "invalid character class range", offset: itemStart)
            }
            members = members.union(RegexCharacterSet([lowScalar...highScalar]))
        }
        return negated ? members.inverted() : members
    }

    private mutating func parseClassItem() throws(RegexSyntaxError) -> RegexCharacterSet {
        let start = index
        let next = scalars[index]
        index += 1
        guard next == Self.code("\\") else { return RegexCharacterSet([next...next]) }
        switch try parseEscape(start: start, inClass: true) {
        case .scalar(let value): return RegexCharacterSet([value...value])
        case .set(let set): return set
        default: throw RegexSyntaxError(message: "invalid escape in character class", offset: start)
        }
    }

    /// Called after the backslash.
    private mutating func parseEscape(start: Int, inClass: Bool) throws(RegexSyntaxError) -> RegexNode {
        guard let next = peek() else { throw RegexSyntaxError(message: "trailing backslash", offset: start) }
        index += 1
        switch Unicode.Scalar(next) ?? " " {
        case "d": return .set(.digits)
        case "D": return .set(RegexCharacterSet.digits.inverted())
        case "w": return .set(.word)
        case "W": return .set(RegexCharacterSet.word.inverted())
        case "s": return .set(.space)
        case "S": return .set(RegexCharacterSet.space.inverted())
        case "n": return .scalar(10)
        case "t": return .scalar(9)
        case "r": return .scalar(13)
        case "f": return .scalar(12)
        case "v": return .scalar(11)
        case "1"..."9": throw RegexSyntaxError(message: "backreferences are not supported", offset: start)
        default:
            // Any escaped ASCII punctuation stands for itself, as in RE2.
            let isPunctuation = next < 128 && !(48...57).contains(next) && !(65...90).contains(next) && !(97...122).contains(next)
            guard isPunctuation else {
                let shown = Unicode.Scalar(next).map { String(Character($0)) } ?? "?"
                throw RegexSyntaxError(message: "unsupported escape '\\\(shown)'", offset: start)
            }
            return .scalar(next)
        }
    }
}

extension RegexCharacterSet {
    fileprivate var singleScalar: UInt32? {
        guard ranges.count == 1, ranges[0].lowerBound == ranges[0].upperBound else { return nil }
        return ranges[0].lowerBound
    }
}
