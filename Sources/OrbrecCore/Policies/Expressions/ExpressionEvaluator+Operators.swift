extension ExpressionEvaluator {
    static func negate(_ value: PolicyValue, at offset: Int) throws(ExpressionError) -> PolicyValue {
        switch value {
        case .int(let number):
            guard number != .min else { throw .runtime("integer overflow", at: offset) }
            return .int(-number)
        case .double(let number):
            return .double(-number)
        default:
            throw .runtime("'-' expects a number, got \(value.typeName)", at: offset)
        }
    }

    mutating func apply(
        _ operation: ExpressionOperator, _ left: PolicyValue, _ right: PolicyValue, at offset: Int
    ) throws(ExpressionError) -> PolicyValue {
        switch operation {
        case .equal:
            return .bool(try PolicyValueSemantics.equal(left, right, meter: &meter, at: offset))
        case .notEqual:
            return .bool(!(try PolicyValueSemantics.equal(left, right, meter: &meter, at: offset)))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            if case .string(let text) = left { try meter.charge(forText: text, at: offset) }
            guard let order = try PolicyValueSemantics.compare(left, right, symbol: operation.rawValue, at: offset) else {
                return .bool(false)
            }
            let holds = switch operation {
            case .less: order < 0
            case .lessOrEqual: order <= 0
            case .greater: order > 0
            default: order >= 0
            }
            return .bool(holds)
        case .in:
            return .bool(try contains(left, in: right, at: offset))
        case .add, .subtract, .multiply, .divide, .remainder:
            return try arithmetic(operation, left, right, at: offset)
        }
    }

    private mutating func contains(_ element: PolicyValue, in container: PolicyValue, at offset: Int) throws(ExpressionError) -> Bool {
        switch container {
        case .list(let elements):
            for candidate in elements {
                try meter.charge(at: offset)
                if try PolicyValueSemantics.equal(element, candidate, meter: &meter, at: offset) { return true }
            }
            return false
        case .map(let entries):
            guard case .string(let key) = element else {
                throw .runtime("'in' on a map needs a string key, got \(element.typeName)", at: offset)
            }
            return entries[key] != nil
        case .string:
            throw .runtime("'in' does not search strings; use contains()", at: offset)
        default:
            throw .runtime("'in' expects a list or map, got \(container.typeName)", at: offset)
        }
    }

    private mutating func arithmetic(
        _ operation: ExpressionOperator, _ left: PolicyValue, _ right: PolicyValue, at offset: Int
    ) throws(ExpressionError) -> PolicyValue {
        switch (left, right) {
        case (.int(let a), .int(let b)):
            return .int(try Self.integerArithmetic(operation, a, b, at: offset))
        case (.int, .double), (.double, .int), (.double, .double):
            guard operation != .remainder else { break }
            return .double(try Self.doubleArithmetic(operation, left.asDouble, right.asDouble, at: offset))
        case (.string(let a), .string(let b)) where operation == .add:
            let joined = a + b
            try meter.charge(forText: joined, at: offset)
            return .string(joined)
        case (.list(let a), .list(let b)) where operation == .add:
            try meter.charge(a.count + b.count, at: offset)
            return .list(a + b)
        default:
            break
        }
        throw .runtime("'\(operation.rawValue)' is not defined for \(left.typeName) and \(right.typeName)", at: offset)
    }

    private static func integerArithmetic(_ operation: ExpressionOperator, _ a: Int64, _ b: Int64, at offset: Int) throws(ExpressionError) -> Int64 {
        let (result, overflow): (Int64, Bool)
        switch operation {
        case .add: (result, overflow) = a.addingReportingOverflow(b)
        case .subtract: (result, overflow) = a.subtractingReportingOverflow(b)
        case .multiply: (result, overflow) = a.multipliedReportingOverflow(by: b)
        case .divide:
            guard b != 0 else { throw .runtime("division by zero", at: offset) }
            (result, overflow) = a.dividedReportingOverflow(by: b)
        default:
            guard b != 0 else { throw .runtime("modulo by zero", at: offset) }
            // Int64.min % -1 is mathematically 0; only Swift's implementation overflows.
            (result, overflow) = b == -1 ? (0, false) : a.remainderReportingOverflow(dividingBy: b)
        }
        guard !overflow else { throw .runtime("integer overflow", at: offset) }
        return result
    }

    private static func doubleArithmetic(_ operation: ExpressionOperator, _ a: Double, _ b: Double, at offset: Int) throws(ExpressionError) -> Double {
        switch operation {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        default:
            guard b != 0 else { throw .runtime("division by zero", at: offset) }
            return a / b
        }
    }
}

extension PolicyValue {
    /// Only called on `.int` or `.double`.
    fileprivate var asDouble: Double {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: .nan
        }
    }
}
