import OrbrecCore
import Testing

@Suite("Policy expression language")
struct ExpressionLanguageTests {
    static let syntax = ExpressionCode.syntax
    static let type = ExpressionCode.type
    static let runtime = ExpressionCode.runtime
    static let cost = ExpressionCode.cost

    static let cases: [ExpressionCase] = [
        // Literals
        ExpressionCase("42", .int(42)),
        ExpressionCase("-3", .int(-3)),
        ExpressionCase("0x1F", .int(31)),
        ExpressionCase("1.5", .double(1.5)),
        ExpressionCase("2e3", .double(2000)),
        ExpressionCase(#""a\tb\u0041""#, .string("a\tbA")),
        ExpressionCase(#"'it\'s'"#, .string("it's")),
        ExpressionCase(#"r'\d+'"#, .string(#"\d+"#)),
        ExpressionCase("null", .null),
        ExpressionCase("[1, 'two', [3.0]]", .list([.int(1), .string("two"), .list([.double(3)])])),
        ExpressionCase(#"{"a": 1, "b": [true]}"#, .map(["a": .int(1), "b": .list([.bool(true)])])),
        ExpressionCase("-9223372036854775808", .int(.min)),
        ExpressionCase("9223372036854775808", fails: syntax, at: 0, "integer literal out of range"),
        ExpressionCase("1e400", fails: syntax, at: 0, "double literal out of range"),
        ExpressionCase(#""unterminated"#, fails: syntax, at: 0, "unterminated string literal"),
        ExpressionCase(#""bad \q escape""#, fails: syntax, at: 5, #"invalid escape '\q'"#),
        ExpressionCase("{1: 2}", fails: type, at: 1, "map keys must be strings, got int"),
        ExpressionCase(#"{"a": 1, "a": 2}"#, fails: runtime, at: 9, "duplicate map key 'a'"),
        // Field paths and indexing
        ExpressionCase("spec.count", .int(3)),
        ExpressionCase("metadata.labels.owner", .string("ana")),
        ExpressionCase("spec.labels['team']", .string("ml")),
        ExpressionCase("spec.tags[1]", .string("spot")),
        ExpressionCase("spec.tags[2]", fails: runtime, at: 10, "index 2 out of range for list of size 2"),
        ExpressionCase("[1, 2][-1]", fails: runtime, at: 7),
        ExpressionCase("metadata.labels.nope", fails: runtime, at: 16, "no such key 'nope'"),
        ExpressionCase("metadata['owner']", fails: runtime, at: 9, "no such key 'owner'"),
        ExpressionCase("nobody", fails: runtime, at: 0, "no such variable 'nobody'"),
        ExpressionCase("spec.count.value", fails: runtime, at: 11, "cannot select field 'value' on int"),
        ExpressionCase("plan.summary.return", fails: syntax, at: 13, "'return' is a reserved word; write plan.summary['return']"),
        ExpressionCase("plan.summary['return']", .int(2)),
        ExpressionCase("while + 1", fails: syntax, at: 0),
        // Operators and precedence
        ExpressionCase("1 + 2 * 3", .int(7)),
        ExpressionCase("(1 + 2) * 3", .int(9)),
        ExpressionCase("7 / 2", .int(3)),
        ExpressionCase("-7 / 2", .int(-3)),
        ExpressionCase("-7 % 3", .int(-1)),
        ExpressionCase("1 + 2.5", .double(3.5)),
        ExpressionCase("spec.count * spec.ratio", .double(1.5)),
        ExpressionCase("1 == 1.0", .bool(true)),
        ExpressionCase("2 < 2.5 && 3.0 >= 3", .bool(true)),
        ExpressionCase("0.1 + 0.2 == 0.3", .bool(false)),
        ExpressionCase(#""a" == 1"#, .bool(false)),
        ExpressionCase(#""a" != null"#, .bool(true)),
        ExpressionCase("[1, 2] == [1, 2.0]", .bool(true)),
        ExpressionCase(#"{"a": [1]} == {"a": [1]}"#, .bool(true)),
        ExpressionCase(#""abc" < "abd""#, .bool(true)),
        ExpressionCase("false < true", .bool(true)),
        ExpressionCase(#""abc" + "def""#, .string("abcdef")),
        ExpressionCase("[1] + [2, 3]", .ints(1, 2, 3)),
        ExpressionCase("1 < 2 == true", .bool(true)),
        ExpressionCase("1 / 0", fails: runtime, at: 2, "division by zero"),
        ExpressionCase("1.0 / 0", fails: runtime, at: 4, "division by zero"),
        ExpressionCase("5 % 0", fails: runtime, at: 2, "modulo by zero"),
        ExpressionCase("5.0 % 2", fails: type, at: 4, "'%' is not defined for double and int"),
        ExpressionCase("9223372036854775807 + 1", fails: runtime, at: 20, "integer overflow"),
        ExpressionCase("-9223372036854775808 / -1", fails: runtime, at: 21, "integer overflow"),
        ExpressionCase("-9223372036854775808 % -1", .int(0)),
        ExpressionCase("spec.count * 4611686018427387904", fails: runtime, at: 11, "integer overflow"),
        ExpressionCase(#"1 + "a""#, fails: type, at: 2, "'+' is not defined for int and string"),
        ExpressionCase(#""a" < 1"#, fails: type, at: 4, "'<' cannot compare string and int"),
        ExpressionCase("spec.image > 1", fails: runtime, at: 11, "'>' cannot compare string and int"),
        ExpressionCase("!5", fails: type, at: 0, "'!' expects bool, got int"),
        ExpressionCase(#"-"x""#, fails: type, at: 0, "'-' expects a number, got string"),
        ExpressionCase("!spec.count", fails: runtime, at: 0, "'!' expects bool, got int"),
        // Membership
        ExpressionCase("2 in [1, 2, 3]", .bool(true)),
        ExpressionCase("2.0 in [1, 2, 3]", .bool(true)),
        ExpressionCase("'owner' in metadata.labels", .bool(true)),
        ExpressionCase("'team' in metadata.labels", .bool(false)),
        ExpressionCase(#""a" in "abc""#, fails: type, at: 4, "'in' does not search strings; use contains()"),
        ExpressionCase("x in 5", fails: type, at: 2, "'in' expects a list or map, got int"),
        // Logic with CEL error absorption
        ExpressionCase("false && metadata.missing", .bool(false)),
        ExpressionCase("metadata.missing && false", .bool(false)),
        ExpressionCase("true || metadata.missing", .bool(true)),
        ExpressionCase("metadata.missing || true", .bool(true)),
        ExpressionCase("metadata.missing && true", fails: runtime, at: 9, "no such key 'missing'"),
        ExpressionCase("true && metadata.missing", fails: runtime, at: 17),
        ExpressionCase("1 / 0 == 1 || spec.count == 3", .bool(true)),
        ExpressionCase("spec.count && true", fails: runtime, at: 5, "'&&' expects bool, got int"),
        ExpressionCase("1 || true", fails: type, at: 0, "'||' expects bool, got int"),
        // Conditional
        ExpressionCase("spec.count > 2 ? 'big' : 'small'", .string("big")),
        ExpressionCase("false ? 1 / 0 : 2", .int(2)),
        ExpressionCase("true ? 1 : false ? 2 : 3", .int(1)),
        ExpressionCase("1 ? 2 : 3", fails: type, at: 0, "condition of '?:' must be bool, got int"),
        // has()
        ExpressionCase("has(metadata.labels.owner)", .bool(true)),
        ExpressionCase("has(metadata.nope.deeper)", .bool(false)),
        ExpressionCase("has(metadata.empty.deeper)", .bool(false)),
        ExpressionCase("has(nobody.field)", .bool(false)),
        ExpressionCase("has(metadata)", fails: syntax, at: 4, "has() argument must be a field selection, like has(a.b)"),
        // Functions
        ExpressionCase(#"size("héllo")"#, .int(5)),
        ExpressionCase("spec.tags.size()", .int(2)),
        ExpressionCase("size(spec.labels)", .int(2)),
        ExpressionCase("size(true)", fails: type, at: 0, "size() expects a string, list or map, got bool"),
        ExpressionCase("size(1, 2)", fails: syntax, at: 0, "size() takes 1 argument, got 2"),
        ExpressionCase("frobnicate(1)", fails: syntax, at: 0, "unknown function 'frobnicate'"),
        ExpressionCase("spec.image.frobnicate()", fails: syntax, at: 11, "unknown method 'frobnicate'"),
        ExpressionCase("'kubernetes'.startsWith('kube') && 'kubernetes'.endsWith('tes')", .bool(true)),
        ExpressionCase("spec.image.contains('unt')", .bool(true)),
        ExpressionCase("'aaab'.contains('aab')", .bool(true)),
        ExpressionCase("'a'.startsWith(1)", fails: type, at: 15, "startsWith() expects a string argument, got int"),
        ExpressionCase("(1).startsWith('a')", fails: type, at: 4, "'startsWith' is not a method of int"),
        ExpressionCase("'HeLLo-1'.lowerAscii() + 'é'.upperAscii()", .string("hello-1é")),
        ExpressionCase("'web-42'.matches('^web-[0-9]+$')", .bool(true)),
        ExpressionCase("matches('abc', 'b')", .bool(true)),
        ExpressionCase("'x'.matches('(')", fails: type, at: 12, "invalid regex: missing ')'"),
        ExpressionCase("'x'.matches(badPattern)", fails: runtime, at: 12, "invalid regex: missing ')'"),
        ExpressionCase("int('42') + int(3.9) + int(-3.9)", .int(42)),
        ExpressionCase("double(2)", .double(2)),
        ExpressionCase("string(1.5) + string(7) + string(true)", .string("1.57true")),
        ExpressionCase("string([1, 'a'])", .string(#"[1, "a"]"#)),
        ExpressionCase("int('x')", fails: runtime, at: 0, "cannot convert 'x' to int"),
        ExpressionCase("int(1e19)", fails: runtime, at: 0),
        ExpressionCase("int(true)", fails: type, at: 4, "int() cannot convert bool"),
        // Macros
        ExpressionCase("[1, 2, 3].all(x, x > 0)", .bool(true)),
        ExpressionCase("[1, 2, 3].exists(x, x > 2)", .bool(true)),
        ExpressionCase("[1, 2, 3].exists_one(x, x > 1)", .bool(false)),
        ExpressionCase("[1, 2, 3].filter(x, x % 2 == 1)", .ints(1, 3)),
        ExpressionCase("[1, 2, 3].map(x, x * 10)", .ints(10, 20, 30)),
        ExpressionCase("[1, 2, 3].map(x, x > 1, x * 10)", .ints(20, 30)),
        ExpressionCase("{'b': 1, 'a': 2}.map(k, k)", .strings("a", "b")),
        ExpressionCase("spec.labels.exists(k, spec.labels[k] == 'ml')", .bool(true)),
        ExpressionCase("[0, -1].all(x, 1 / x > 0)", .bool(false)),
        ExpressionCase("[-1, 0].exists(x, 1 / x < 0)", .bool(true)),
        ExpressionCase("[1, 0].all(x, 1 / x > 0)", fails: runtime, at: 16, "division by zero"),
        ExpressionCase("[1].all(1, true)", fails: syntax, at: 8, "the first argument of all() must be a variable name"),
        ExpressionCase("5.all(x, true)", fails: type, at: 2, "all() expects a list or map, got int"),
        ExpressionCase("all(x, true)", fails: syntax, at: 0),
        // Syntax errors
        ExpressionCase("(1 + 2", fails: syntax, at: 6, "expected ')' to close '('"),
        ExpressionCase("size(1", fails: syntax, at: 6, "expected ')' after arguments"),
        ExpressionCase("1 = 2", fails: syntax, at: 2, "unexpected character '='; use '==' to compare"),
        ExpressionCase("1 2", fails: syntax, at: 2, "unexpected '2'"),
        ExpressionCase("spec.", fails: syntax, at: 5, "expected field name after '.'"),
        ExpressionCase("", fails: syntax, at: 0, "unexpected end of expression"),
        // Limits
        ExpressionCase(String(repeating: "(", count: 30) + "1" + String(repeating: ")", count: 30), .int(1)),
        ExpressionCase(String(repeating: "(", count: 63) + "1" + String(repeating: ")", count: 63), .int(1)),
        ExpressionCase(String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + " == " + String(repeating: "[", count: 62) + String(repeating: "]", count: 62), .bool(false)),
        ExpressionCase(String(repeating: "(", count: 64) + "1" + String(repeating: ")", count: 64), fails: syntax, at: 64),
        ExpressionCase(String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100), fails: syntax, at: 64, "expression nests deeper than 64 levels"),
        ExpressionCase(String(repeating: "!", count: 100) + "true", fails: syntax),
        ExpressionCase(Array(repeating: "1", count: 64).joined(separator: " + "), .int(64)),
        ExpressionCase(Array(repeating: "1", count: 100).joined(separator: " + "), fails: syntax, "expression nests deeper than 64 levels"),
        ExpressionCase(Array(repeating: "true", count: 200).joined(separator: " && "), .bool(true)),
        ExpressionCase(String(repeating: " ", count: 8_200) + "1", fails: syntax, at: 8_192),
        ExpressionCase("big.map(x, big.filter(y, y == x).size())", fails: cost, "evaluation cost exceeded 10000 steps", budget: 10_000),
        ExpressionCase("big.filter(x, x < 3)", .ints(0, 1, 2)),
        ExpressionCase("aaaa.matches('(a*)*b')", .bool(false)),
        ExpressionCase("aaaa.matches('(a|aa)+$')", .bool(true)),
        ExpressionCase("aaaa.matches('(a*)*b')", fails: cost, budget: 2_000),
        ExpressionCase("999 in big", fails: cost, budget: 500),
        ExpressionCase("999 in big", .bool(true)),
        ExpressionCase("spec.count > 1 // enough machines\n  && spec.image == 'ubuntu'", .bool(true)),
        ExpressionCase("[1, 2, 3].map(x, x)", fails: cost, at: 10, "evaluation cost exceeded 5 steps", budget: 5),
    ]

    @Test("evaluates the expression table", arguments: cases)
    func evaluates(_ testCase: ExpressionCase) {
        let outcome: Result<PolicyValue, ExpressionError>
        do {
            let expression = try PolicyExpression(parsing: testCase.source)
            outcome = .success(try expression.evaluate(ExpressionFixtures.bindings, budget: testCase.budget))
        } catch {
            outcome = .failure(error)
        }
        switch (testCase.expected, outcome) {
        case (.value(let expected), .success(let actual)):
            #expect(actual == expected)
        case (.failure(let code, let offset, let message), .failure(let error)):
            #expect(error.code == code)
            if let offset { #expect(error.offset == offset) }
            if let message { #expect(error.message == message) }
        case (.value(let expected), .failure(let error)):
            Issue.record("expected \(expected), got error \(error)")
        case (.failure(let code, _, _), .success(let actual)):
            Issue.record("expected \(code), got value \(actual)")
        }
    }

    @Test func tableIsLargeEnough() {
        #expect(Self.cases.count >= 60)
    }
}
