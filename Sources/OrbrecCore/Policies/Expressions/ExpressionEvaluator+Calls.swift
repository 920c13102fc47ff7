extension ExpressionEvaluator {
    mutating func evaluateCall(
        _ function: ExpressionFunction, target: ExpressionNode?, arguments: [ExpressionNode], at offset: Int
    ) throws(ExpressionError) -> PolicyValue {
        var values: [PolicyValue] = []
        if let target { values.append(try evaluate(target)) }
        for argument in arguments { values.append(try evaluate(argument)) }
        let name = function.rawValue

        switch function {
        case .size:
            switch values[0] {
            case .string(let text):
                try meter.charge(forText: text, at: offset)
                return .int(Int64(text.count))
            case .list(let elements): return .int(Int64(elements.count))
            case .map(let entries): return .int(Int64(entries.count))
            default: throw .runtime("size() expects a string, list or map, got \(values[0].typeName)", at: offset)
            }
        case .startsWith, .endsWith, .contains:
            let (text, fragment) = try Self.strings(values, name, at: offset)
            try meter.charge(forText: text, at: offset)
            let haystack = Array(text.unicodeScalars)
            let needle = Array(fragment.unicodeScalars)
            switch function {
            case .startsWith: return .bool(haystack.starts(with: needle))
            case .endsWith: return .bool(haystack.reversed().starts(with: needle.reversed()))
            default: return .bool(ExpressionSubstringSearch.contains(needle, in: haystack))
            }
        case .matches:
            let (text, pattern) = try Self.strings(values, name, at: offset)
            let patternOffset = arguments[arguments.count - 1].offset
            let regex: SafeRegex
            if let compiled = literalPatterns[patternOffset] {
                regex = compiled
            } else {
                try meter.charge(forText: pattern, at: offset)
                do {
                    regex = try SafeRegex(compiling: pattern)
                } catch {
                    throw .runtime("invalid regex: \(error.message)", at: patternOffset)
                }
                // A short pattern can compile to a long program (`(a{100}){49}`): pay for its size.
                try meter.charge(regex.program.count, at: offset)
            }
            return .bool(try regex.matches(text, meter: &meter, at: offset))
        case .lowerAscii, .upperAscii:
            guard case .string(let text) = values[0] else {
                throw .runtime("\(name)() expects a string, got \(values[0].typeName)", at: offset)
            }
            try meter.charge(forText: text, at: offset)
            return .string(Self.mapASCII(text, upper: function == .upperAscii))
        case .int:
            return .int(try Self.convertToInt(values[0], at: offset))
        case .double:
            return .double(try Self.convertToDouble(values[0], at: offset))
        case .string:
            return .string(try values[0].rendered(meter: &meter, at: offset))
        }
    }

    private static func strings(_ values: [PolicyValue], _ name: String, at offset: Int) throws(ExpressionError) -> (String, String) {
        guard case .string(let first) = values[0] else {
            throw .runtime("\(name)() expects a string, got \(values[0].typeName)", at: offset)
        }
        guard case .string(let second) = values[1] else {
            throw .runtime("\(name)() expects a string argument, got \(values[1].typeName)", at: offset)
        }
        return (first, second)
    }

    private static func mapASCII(_ text: String, upper: Bool) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if upper, value >= 97, value <= 122, let shifted = Unicode.Scalar(value - 32) {
                result.append(shifted)
            } else if !upper, value >= 65, value <= 90, let shifted = Unicode.Scalar(value + 32) {
                result.append(shifted)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    private static func convertToInt(_ value: PolicyValue, at offset: Int) throws(ExpressionError) -> Int64 {
        switch value {
        case .int(let number):
            return number
        case .double(let number):
            guard number.isFinite, number >= -9_223_372_036_854_775_808.0, number < 9_223_372_036_854_775_808.0 else {
                throw .runtime("int() value \(number) is out of range", at: offset)
            }
            return Int64(number)
        case .string(let text):
            guard let number = Int64(text) else { throw .runtime("cannot convert '\(text)' to int", at: offset) }
            return number
        default:
            throw .runtime("int() cannot convert \(value.typeName)", at: offset)
        }
    }

    private static func convertToDouble(_ value: PolicyValue, at offset: Int) throws(ExpressionError) -> Double {
        switch value {
        case .int(let number):
            return Double(number)
        case .double(let number):
            return number
        case .string(let text):
            guard let number = Double(text), number.isFinite else {
                throw .runtime("cannot convert '\(text)' to double", at: offset)
            }
            return number
        default:
            throw .runtime("double() cannot convert \(value.typeName)", at: offset)
        }
    }
}
