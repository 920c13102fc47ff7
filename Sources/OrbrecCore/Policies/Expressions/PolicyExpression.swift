/// A policy rule condition in a safe subset of CEL (Common Expression Language): parsed and
/// type-checked once, then evaluated any number of times with bounded cost and no side effects.
///
/// **Literals.** Ints `42`, `-3`, `0x1F` (Int64); doubles `1.5`, `2e3`, `1.5e-3`; strings in
/// `"..."` or `'...'` with escapes `\n \t \r \\ \" \' \uXXXX \UXXXXXXXX \xHH` (and raw `r"\d"`);
/// `true`, `false`, `null`; lists `[1, 2]`; maps `{"a": 1}` with string keys only.
///
/// **Access.** `spec.count`, `metadata.labels.owner`, `m['key']`, `list[0]`. A missing map key,
/// an out-of-range index (including negative) or a field of a non-map is a runtime error.
/// Reserved words (`in as break const continue else for function if import let loop package
/// namespace return var void while`) cannot be identifiers or follow `.`; index instead:
/// `plan.summary['return']`.
///
/// **Operators**, loosest first: `?:`, `||`, `&&`, `== != < <= > >= in`, `+ -`, `* / %`,
/// unary `! -`, then member, index and call.
/// - `==`/`!=` work on any two values. Ints and doubles compare numerically (`1 == 1.0`);
///   values of other differing types are unequal rather than an error (CEL would fail).
/// - `< <= > >=` order numbers (int and double mixed), strings (by Unicode scalar) and bools
///   (`false < true`); other combinations are errors.
/// - `+` adds numbers and concatenates strings or lists; `- * /` need numbers; `%` needs ints.
///   Mixing int and double yields double (CEL would fail). Int division truncates toward zero.
///   Division or modulo by zero (int or double) and Int64 overflow are runtime errors.
/// - `x in list` tests membership with `==`; `k in map` tests for a key. `in` on a string is an
///   error: use `contains()`.
/// - `&&` and `||` follow CEL's error absorption in either operand order: `false && e` is false
///   and `true || e` is true even when `e` fails. `!` takes bools, unary `-` numbers.
///
/// **Functions.** `has(a.b.c)` is true when the whole path exists; any missing or non-map step
/// gives false (CEL only tests the last step). `size()` of a string (in Characters), list or
/// map, as `size(x)` or `x.size()`. String methods `startsWith`, `endsWith`, `contains`,
/// `lowerAscii`, `upperAscii`, and `s.matches(re)` / `matches(s, re)`: an unanchored RE2-style
/// search run by a linear-time engine (see `SafeRegex`). Conversions `int()`, `double()`,
/// `string()`. Macros over a list's elements or a map's keys: `all`, `exists`, `exists_one`,
/// `filter`, `map(x, expr)` and `map(x, predicate, expr)`.
///
/// **Checks and limits.** Parsing rejects sources over 8,192 characters or nested deeper than
/// 64 levels (parentheses, brackets, calls and binary-operator chains count; `&&`/`||` chains
/// count once), then type-checks against the schema: definite mismatches, unknown identifiers or
/// closed-object fields (with a did-you-mean), wrong method receivers and literal regexes that
/// do not compile. Evaluation charges one step per node visit, macro element and regex step,
/// and proportionally for string and list work; going over `budget` is `expression-cost`.
public struct PolicyExpression: Sendable {
    public let source: String
    /// The statically inferred type; `.dyn` when it depends on the bindings.
    public let resultType: ExpressionType
    let root: ExpressionNode
    let literalPatterns: [Int: SafeRegex]

    public init(parsing source: String, schema: ExpressionSchema = .open) throws(ExpressionError) {
        var parser = try ExpressionParser(source: source)
        let root = try parser.parse()
        var checker = ExpressionTypeChecker(schema: schema)
        self.resultType = try checker.check(root)
        self.source = source
        self.root = root
        self.literalPatterns = checker.literalPatterns
    }

    public func evaluate(_ bindings: [String: PolicyValue], budget: Int = 100_000) throws(ExpressionError) -> PolicyValue {
        var meter = ExpressionCostMeter(budget: budget)
        return try evaluate(bindings, meter: &meter)
    }

    /// Lets a template share one budget across its placeholders.
    func evaluate(_ bindings: [String: PolicyValue], meter: inout ExpressionCostMeter) throws(ExpressionError) -> PolicyValue {
        var evaluator = ExpressionEvaluator(bindings: bindings, literalPatterns: literalPatterns, meter: meter)
        defer { meter = evaluator.meter }
        return try evaluator.evaluate(root)
    }
}
