extension ExpressionTypeChecker {
    static func binaryType(
        _ operation: ExpressionOperator, _ left: ExpressionType, _ right: ExpressionType, at offset: Int
    ) throws(ExpressionError) -> ExpressionType {
        switch operation {
        case .equal, .notEqual:
            return .bool
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            try checkOrderable(operation, left, right, at: offset)
            return .bool
        case .in:
            try checkMembership(left, right, at: offset)
            return .bool
        case .add, .subtract, .multiply, .divide, .remainder:
            return try arithmeticType(operation, left, right, at: offset)
        }
    }

    private static func isOrderable(_ type: ExpressionType) -> Bool {
        type.isNumeric || type == .string || type == .bool || type.isDyn
    }

    private static func checkOrderable(
        _ operation: ExpressionOperator, _ left: ExpressionType, _ right: ExpressionType, at offset: Int
    ) throws(ExpressionError) {
        let compatible = left.isDyn || right.isDyn || (left.isNumeric && right.isNumeric) || left == right
        guard isOrderable(left), isOrderable(right), compatible else {
            throw .type("'\(operation.rawValue)' cannot compare \(left.displayName) and \(right.displayName)", at: offset)
        }
    }

    private static func checkMembership(_ element: ExpressionType, _ container: ExpressionType, at offset: Int) throws(ExpressionError) {
        switch container {
        case .dyn, .list:
            return
        case .map, .object:
            guard element == .string || element.isDyn else {
                throw .type("'in' on a map needs a string key, got \(element.displayName)", at: offset)
            }
        case .string:
            throw .type("'in' does not search strings; use contains()", at: offset)
        default:
            throw .type("'in' expects a list or map, got \(container.displayName)", at: offset)
        }
    }

    private static func arithmeticType(
        _ operation: ExpressionOperator, _ left: ExpressionType, _ right: ExpressionType, at offset: Int
    ) throws(ExpressionError) -> ExpressionType {
        let failure = ExpressionError.type(
            "'\(operation.rawValue)' is not defined for \(left.displayName) and \(right.displayName)", at: offset
        )
        for side in [left, right] where !side.isDyn && !supports(operation, side) { throw failure }
        if left.isDyn || right.isDyn { return .dyn }
        switch (left, right) {
        case (.int, .int): return .int
        case _ where left.isNumeric && right.isNumeric:
            guard operation != .remainder else { throw failure }
            return .double
        case (.string, .string): return .string
        case (.list(let leftElement), .list(let rightElement)): return .list(.common([leftElement, rightElement]))
        default: throw failure
        }
    }

    private static func supports(_ operation: ExpressionOperator, _ type: ExpressionType) -> Bool {
        switch operation {
        case .add:
            if case .list = type { return true }
            return type.isNumeric || type == .string
        case .remainder:
            return type == .int
        default:
            return type.isNumeric
        }
    }
}
