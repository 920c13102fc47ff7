import OrbrecCore
import Testing

/// Bindings shared by the expression tests; the shape mimics a Fleet resource.
enum ExpressionFixtures {
    static let bindings: [String: PolicyValue] = [
        "spec": .map([
            "count": .int(3),
            "image": .string("ubuntu"),
            "ratio": .double(0.5),
            "tags": .list([.string("gpu"), .string("spot")]),
            "labels": .map(["owner": .string("ana"), "team": .string("ml")]),
        ]),
        "metadata": .map([
            "name": .string("web"),
            "labels": .map(["owner": .string("ana")]),
            "empty": .null,
        ]),
        "plan": .map(["summary": .map(["return": .int(2), "create": .int(1)])]),
        "big": .list((0..<1_000).map { .int(Int64($0)) }),
        "aaaa": .string(String(repeating: "a", count: 3_000)),
        "badPattern": .string("(a"),
    ]

    static let fleetSchema = ExpressionSchema(variables: [
        "spec": .object(
            name: "Fleet spec",
            fields: ["count": .int, "image": .string, "ratio": .double, "tags": .list(.string), "labels": .map(.string)],
            open: false
        ),
        "metadata": .object(name: "metadata", fields: ["name": .string], open: true),
    ])
}

/// What a table row expects: a value, or an error with a code and optionally its offset and message.
enum ExpressionExpectation: Sendable {
    case value(PolicyValue)
    case failure(code: String, offset: Int?, message: String?)
}

struct ExpressionCase: Sendable, CustomTestStringConvertible {
    let source: String
    let expected: ExpressionExpectation
    var budget = 100_000

    init(_ source: String, _ value: PolicyValue, budget: Int = 100_000) {
        self.source = source
        self.expected = .value(value)
        self.budget = budget
    }

    init(_ source: String, fails code: String, at offset: Int? = nil, _ message: String? = nil, budget: Int = 100_000) {
        self.source = source
        self.expected = .failure(code: code, offset: offset, message: message)
        self.budget = budget
    }

    var testDescription: String { source.count > 60 ? String(source.prefix(57)) + "..." : source }
}

enum ExpressionCode {
    static let syntax = "expression-syntax"
    static let type = "expression-type"
    static let runtime = "expression-runtime"
    static let cost = "expression-cost"
}

extension PolicyValue {
    static func strings(_ values: String...) -> PolicyValue { .list(values.map(PolicyValue.string)) }
    static func ints(_ values: Int64...) -> PolicyValue { .list(values.map(PolicyValue.int)) }
}
