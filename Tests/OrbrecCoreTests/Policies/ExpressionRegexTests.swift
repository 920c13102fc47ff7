import OrbrecCore
import Testing

/// The regex engine is internal, so it is exercised through `text.matches(pattern)`.
@Suite("Safe regex engine")
struct ExpressionRegexTests {
    struct MatchCase: Sendable, CustomTestStringConvertible {
        let pattern: String
        let input: String
        let matches: Bool
        var testDescription: String { "/\(pattern)/ on \"\(input.prefix(20))\"" }
    }

    static let matchCases: [MatchCase] = [
        MatchCase(pattern: "abc", input: "abc", matches: true),
        MatchCase(pattern: "b", input: "abc", matches: true),
        MatchCase(pattern: "^b", input: "abc", matches: false),
        MatchCase(pattern: "c$", input: "abc", matches: true),
        MatchCase(pattern: "^abc$", input: "abcd", matches: false),
        MatchCase(pattern: "a.c", input: "abc", matches: true),
        MatchCase(pattern: "a.c", input: "a\nc", matches: false),
        MatchCase(pattern: "[a-c]+", input: "xxbxx", matches: true),
        MatchCase(pattern: "^[a-c]+$", input: "abcd", matches: false),
        MatchCase(pattern: "[^0-9]", input: "123", matches: false),
        MatchCase(pattern: "[^0-9]", input: "12a", matches: true),
        MatchCase(pattern: #"\d{3}"#, input: "ab123", matches: true),
        MatchCase(pattern: #"^\d{3}$"#, input: "1234", matches: false),
        MatchCase(pattern: #"^\w+@\w+\.com$"#, input: "me@x.com", matches: true),
        MatchCase(pattern: #"\s"#, input: "nospace", matches: false),
        MatchCase(pattern: #"^\S+$"#, input: "x y", matches: false),
        MatchCase(pattern: #"\D\W"#, input: "a-", matches: true),
        MatchCase(pattern: "colou?r", input: "color", matches: true),
        MatchCase(pattern: "^colou?r$", input: "colouur", matches: false),
        MatchCase(pattern: "(ab)+c", input: "ababc", matches: true),
        MatchCase(pattern: "(?:ab)+c", input: "ac", matches: false),
        MatchCase(pattern: "cat|dog", input: "hotdog", matches: true),
        MatchCase(pattern: "^(cat|dog)$", input: "cats", matches: false),
        MatchCase(pattern: "a{2,3}", input: "a", matches: false),
        MatchCase(pattern: "^a{2,3}$", input: "aaaa", matches: false),
        MatchCase(pattern: "^a{2,}$", input: "aaaaa", matches: true),
        MatchCase(pattern: "^a{3}$", input: "aaa", matches: true),
        MatchCase(pattern: #"\."#, input: "a.b", matches: true),
        MatchCase(pattern: #"\."#, input: "ab", matches: false),
        MatchCase(pattern: #"^[\d_-]+$"#, input: "_-9", matches: true),
        MatchCase(pattern: #"[\]]"#, input: "]", matches: true),
        MatchCase(pattern: "", input: "anything", matches: true),
        MatchCase(pattern: "^$", input: "", matches: true),
        MatchCase(pattern: "x*", input: "", matches: true),
        MatchCase(pattern: "é", input: "café", matches: true),
        MatchCase(pattern: "^.{4}$", input: "café", matches: true),
        MatchCase(pattern: "(a|ab)(c|bcd)(d*)$", input: "abcd", matches: true),
        MatchCase(pattern: "(a*)*b", input: String(repeating: "a", count: 20), matches: false),
        MatchCase(pattern: "(a+)+$", input: "aaaa!", matches: false),
        MatchCase(pattern: "a{,2}", input: "a{,2}", matches: true),
        MatchCase(pattern: "a*?b", input: "aab", matches: true),
    ]

    @Test("matches like RE2 search", arguments: matchCases)
    func matches(_ testCase: MatchCase) throws {
        let expression = try PolicyExpression(parsing: "text.matches(pattern)")
        let result = try expression.evaluate(["text": .string(testCase.input), "pattern": .string(testCase.pattern)])
        #expect(result == .bool(testCase.matches))
    }

    static let invalidPatterns: [(pattern: String, message: String)] = [
        ("(", "missing ')'"),
        (")", "unexpected ')'"),
        ("[a-", "missing ']'"),
        ("a**", "repetition operator follows another"),
        ("*a", "missing argument to repetition operator"),
        ("a{101}", "repeat count exceeds 100"),
        ("a{3,2}", "invalid repeat range {3,2}"),
        ("[z-a]", "invalid character class range"),
        (#"(a)\1"#, "backreferences are not supported"),
        ("(?i)a", "unsupported group syntax; only (?:...) is allowed"),
        (#"\q"#, #"unsupported escape '\q'"#),
        (#"a\"#, "trailing backslash"),
        ("((((a{100}){100}){100}){100})", "pattern is too large after expanding repeats"),
    ]

    @Test("rejects invalid patterns at run time", arguments: zip(invalidPatterns.map(\.pattern), invalidPatterns.map(\.message)))
    func rejectsAtRunTime(pattern: String, message: String) throws {
        let expression = try PolicyExpression(parsing: "'abc'.matches(pattern)")
        #expect(throws: ExpressionError(code: ExpressionCode.runtime, message: "invalid regex: \(message)", offset: 14)) {
            try expression.evaluate(["pattern": .string(pattern)])
        }
    }

    @Test func rejectsLiteralPatternsAtParseTime() {
        #expect(throws: ExpressionError(code: ExpressionCode.type, message: "invalid regex: missing ']'", offset: 14)) {
            try PolicyExpression(parsing: "'abc'.matches('[a-')")
        }
    }

    @Test func pathologicalPatternStaysLinear() throws {
        let expression = try PolicyExpression(parsing: "text.matches('(a*)*b')")
        let text = PolicyValue.string(String(repeating: "a", count: 5_000))
        #expect(try expression.evaluate(["text": text]) == .bool(false))
        #expect(throws: ExpressionError.self) { try expression.evaluate(["text": text], budget: 1_000) }
    }
}
