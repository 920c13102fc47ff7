/// Splits expression source into tokens. Works on Characters so that offsets match what an
/// editor shows for the YAML the expression came from.
struct ExpressionLexer {
    private let characters: [Character]
    private var index = 0
    private var tokens: [ExpressionToken] = []

    private static let twoCharacterSymbols: Set<String> = ["==", "!=", "<=", ">=", "&&", "||"]
    private static let oneCharacterSymbols: Set<Character> = [
        "(", ")", "[", "]", "{", "}", ".", ",", ":", "?", "!", "-", "+", "*", "/", "%", "<", ">",
    ]

    init(_ characters: [Character]) {
        self.characters = characters
    }

    mutating func tokenize() throws(ExpressionError) -> [ExpressionToken] {
        while let character = peek() {
            if character.isWhitespace {
                index += 1
            } else if character == "/", peek(1) == "/" {
                while let next = peek(), !next.isNewline { index += 1 }
            } else if Self.isDigit(character) {
                try lexNumber()
            } else if character == "\"" || character == "'" {
                try lexString(raw: false)
            } else if (character == "r" || character == "R"), peek(1) == "\"" || peek(1) == "'" {
                index += 1
                try lexString(raw: true)
            } else if Self.isIdentifierStart(character) {
                lexIdentifier()
            } else {
                try lexSymbol(character)
            }
        }
        tokens.append(ExpressionToken(kind: .end, offset: characters.count))
        return tokens
    }

    private func peek(_ distance: Int = 0) -> Character? {
        index + distance < characters.count ? characters[index + distance] : nil
    }

    private mutating func lexSymbol(_ character: Character) throws(ExpressionError) {
        let start = index
        if let next = peek(1), Self.twoCharacterSymbols.contains(String([character, next])) {
            index += 2
            tokens.append(ExpressionToken(kind: .symbol(String([character, next])), offset: start))
            return
        }
        guard Self.oneCharacterSymbols.contains(character) else {
            let hint: String = switch character {
            case "=": "; use '==' to compare"
            case "&": "; use '&&'"
            case "|": "; use '||'"
            default: ""
            }
            throw .syntax("unexpected character '\(character)'\(hint)", at: start)
        }
        index += 1
        tokens.append(ExpressionToken(kind: .symbol(String(character)), offset: start))
    }

    private mutating func lexIdentifier() {
        let start = index
        while let character = peek(), Self.isIdentifierPart(character) { index += 1 }
        tokens.append(ExpressionToken(kind: .identifier(String(characters[start..<index])), offset: start))
    }

    private mutating func lexNumber() throws(ExpressionError) {
        let start = index
        if peek() == "0", peek(1) == "x" || peek(1) == "X" {
            index += 2
            var value: UInt64 = 0
            var digits = 0
            while let character = peek(), let digit = character.hexDigitValue, character.isASCII {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 16)
                guard !overflow else { throw .syntax("integer literal out of range", at: start) }
                value = shifted + UInt64(digit)
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw .syntax("expected hex digits after '0x'", at: start) }
            try rejectSuffix()
            tokens.append(ExpressionToken(kind: .integer(value), offset: start))
            return
        }
        skipDigits()
        var isDouble = false
        if peek() == ".", let next = peek(1), Self.isDigit(next) {
            isDouble = true
            index += 1
            skipDigits()
        }
        if peek() == "e" || peek() == "E" {
            let signed = peek(1) == "+" || peek(1) == "-"
            if let next = peek(signed ? 2 : 1), Self.isDigit(next) {
                isDouble = true
                index += signed ? 2 : 1
                skipDigits()
            }
        }
        try rejectSuffix()
        let text = String(characters[start..<index])
        if isDouble {
            guard let value = Double(text), value.isFinite else {
                throw .syntax("double literal out of range", at: start)
            }
            tokens.append(ExpressionToken(kind: .number(value), offset: start))
        } else {
            guard let value = UInt64(text) else { throw .syntax("integer literal out of range", at: start) }
            tokens.append(ExpressionToken(kind: .integer(value), offset: start))
        }
    }

    private mutating func skipDigits() {
        while let character = peek(), Self.isDigit(character) { index += 1 }
    }

    /// `1u`, `2.0f` and `3abc` are not numbers here; saying so beats a confusing later error.
    private func rejectSuffix() throws(ExpressionError) {
        if let character = peek(), Self.isIdentifierPart(character) {
            throw .syntax("unexpected character '\(character)' after number", at: index)
        }
    }

    private mutating func lexString(raw: Bool) throws(ExpressionError) {
        let start = raw ? index - 1 : index
        let quote = characters[index]
        index += 1
        var value = ""
        while true {
            guard let character = peek(), !character.isNewline else {
                throw .syntax("unterminated string literal", at: start)
            }
            index += 1
            if character == quote { break }
            if character == "\\", !raw {
                try value.unicodeScalars.append(lexEscape(at: index - 1))
            } else {
                value.append(character)
            }
        }
        tokens.append(ExpressionToken(kind: .string(value), offset: start))
    }

    private mutating func lexEscape(at start: Int) throws(ExpressionError) -> Unicode.Scalar {
        guard let character = peek() else { throw .syntax("unterminated string literal", at: start) }
        index += 1
        switch character {
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "a": return "\u{07}"
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "v": return "\u{0B}"
        case "\\", "\"", "'", "`", "?": return character.unicodeScalars.first!
        case "x": return try lexHexScalar(digits: 2, escapeStart: start)
        case "u": return try lexHexScalar(digits: 4, escapeStart: start)
        case "U": return try lexHexScalar(digits: 8, escapeStart: start)
        default: throw .syntax("invalid escape '\\\(character)'", at: start)
        }
    }

    private mutating func lexHexScalar(digits: Int, escapeStart: Int) throws(ExpressionError) -> Unicode.Scalar {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let character = peek(), character.isASCII, let digit = character.hexDigitValue else {
                throw .syntax("escape needs \(digits) hex digits", at: escapeStart)
            }
            value = value * 16 + UInt32(digit)
            index += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw .syntax("escape is not a valid Unicode scalar", at: escapeStart)
        }
        return scalar
    }

    static func isDigit(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return ascii >= 48 && ascii <= 57
    }

    static func isIdentifierStart(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return (ascii >= 65 && ascii <= 90) || (ascii >= 97 && ascii <= 122) || ascii == 95
    }

    static func isIdentifierPart(_ character: Character) -> Bool {
        isIdentifierStart(character) || isDigit(character)
    }
}
