import OrbrecCore
import Testing

/// Deterministic SplitMix64 so failures reproduce from the seed alone.
struct ExpressionRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
}

/// An int expression rendered as source next to the value Swift computes for it (nil when
/// evaluation must fail with division by zero or overflow).
struct ExpressionArithmeticSample {
    let source: String
    let value: Int64?

    static func generate(_ random: inout ExpressionRandom, depth: Int) -> ExpressionArithmeticSample {
        if depth == 0 || random.below(4) == 0 {
            let magnitude: Int64 = random.below(10) == 0
                ? Int64(bitPattern: random.next()) / Int64(random.below(3) + 1)
                : Int64(random.below(2_001)) - 1_000
            return ExpressionArithmeticSample(source: String(magnitude), value: magnitude)
        }
        let left = generate(&random, depth: depth - 1)
        let right = generate(&random, depth: depth - 1)
        let symbol = random.pick(["+", "-", "*", "/", "%"])
        let source = "(\(left.source) \(symbol) \(right.source))"
        guard let a = left.value, let b = right.value else { return ExpressionArithmeticSample(source: source, value: nil) }
        let result: (Int64, Bool)
        switch symbol {
        case "+": result = a.addingReportingOverflow(b)
        case "-": result = a.subtractingReportingOverflow(b)
        case "*": result = a.multipliedReportingOverflow(by: b)
        case "/": result = b == 0 ? (0, true) : a.dividedReportingOverflow(by: b)
        default: result = b == 0 ? (0, true) : (b == -1 ? (0, false) : a.remainderReportingOverflow(dividingBy: b))
        }
        return ExpressionArithmeticSample(source: source, value: result.1 ? nil : result.0)
    }
}

enum ExpressionValueGenerator {
    static let scalars: [String] = ["a", "Z", "0", " ", "\"", "'", "\\", "\n", "\t", "\r", "é", "😀", "\u{1}", "{", "}", "/"]

    static func value(_ random: inout ExpressionRandom, depth: Int) -> PolicyValue {
        switch random.below(depth > 0 ? 8 : 6) {
        case 0: return .null
        case 1: return .bool(random.below(2) == 0)
        case 2: return .int(random.below(3) == 0 ? Int64(bitPattern: random.next()) : Int64(random.below(200)) - 100)
        case 3:
            let candidates: [Double] = [0, -0.5, 0.1, 1e20, 2.5e-7, 123456.789, -1e300, Double(Int64(random.below(1_000)))]
            var real = random.pick(candidates)
            if random.below(2) == 0 {
                let bits = Double(bitPattern: random.next())
                if bits.isFinite { real = bits }
            }
            return .double(real)
        case 4, 5:
            return .string(text(&random))
        case 6:
            return .list((0..<random.below(4)).map { _ in value(&random, depth: depth - 1) })
        default:
            var entries: [String: PolicyValue] = [:]
            for _ in 0..<random.below(4) { entries[text(&random)] = value(&random, depth: depth - 1) }
            return .map(entries)
        }
    }

    static func text(_ random: inout ExpressionRandom) -> String {
        (0..<random.below(6)).map { _ in random.pick(scalars) }.joined()
    }
}

@Suite("Expression properties")
struct ExpressionPropertyTests {
    @Test func intArithmeticAgreesWithSwift() throws {
        var random = ExpressionRandom(seed: 0x5EED)
        for _ in 0..<500 {
            let sample = ExpressionArithmeticSample.generate(&random, depth: 4)
            let expression = try PolicyExpression(parsing: sample.source)
            if let expected = sample.value {
                #expect(try expression.evaluate([:]) == .int(expected), "\(sample.source)")
            } else {
                #expect(throws: ExpressionError.self, "\(sample.source)") { try expression.evaluate([:]) }
            }
        }
    }

    @Test func mixedArithmeticPromotesToDouble() throws {
        var random = ExpressionRandom(seed: 42)
        for _ in 0..<200 {
            let integer = Int64(random.below(20_001)) - 10_000
            let real = Double(random.below(1_000_000)) / 64 - 5_000
            let expression = try PolicyExpression(parsing: "a * b + a - b")
            let value = try expression.evaluate(["a": .int(integer), "b": .double(real)])
            #expect(value == .double(Double(integer) * real + Double(integer) - real))
        }
    }

    @Test func renderedLiteralsParseBackToTheSameValue() throws {
        var random = ExpressionRandom(seed: 7)
        for _ in 0..<400 {
            let value = PolicyValue.list([ExpressionValueGenerator.value(&random, depth: 3)])
            let rendering = value.description
            let parsed = try PolicyExpression(parsing: rendering).evaluate([:])
            #expect(parsed == value, "\(rendering)")
        }
    }

    @Test func comparisonsAgreeWithSwiftOnInts() throws {
        var random = ExpressionRandom(seed: 99)
        let expression = try PolicyExpression(parsing: "[a < b, a <= b, a == b, a > b, a >= b, a != b]")
        for _ in 0..<200 {
            let a = Int64(random.below(20)) - 10
            let b = Double(random.below(40)) / 2 - 10
            let expected = PolicyValue.list([Double(a) < b, Double(a) <= b, Double(a) == b, Double(a) > b, Double(a) >= b, Double(a) != b].map(PolicyValue.bool))
            #expect(try expression.evaluate(["a": .int(a), "b": .double(b)]) == expected)
        }
    }
}
