/// Infers types bottom-up and reports only definite mismatches: anything involving `.dyn`
/// is left to evaluation. Also compiles literal regex patterns once, at parse time.
struct ExpressionTypeChecker {
    let schema: ExpressionSchema
    /// Macro variables, innermost last; they shadow schema variables.
    private var scopes: [(name: String, type: ExpressionType)] = []
    /// Compiled literal patterns keyed by the pattern literal's offset.
    var literalPatterns: [Int: SafeRegex] = [:]

    init(schema: ExpressionSchema) {
        self.schema = schema
    }

    mutating func check(_ node: ExpressionNode) throws(ExpressionError) -> ExpressionType {
        switch node.form {
        case .literal(let value):
            return ExpressionType(of: value)
        case .identifier(let name):
            return try identifierType(name, at: node.offset)
        case .select(let operand, let field):
            return try Self.fieldType(of: try check(operand), field: field, at: node.offset)
        case .index(let operand, let key):
            return try indexType(operand: try check(operand), key: key, at: node.offset)
        case .list(let elements):
            var types: [ExpressionType] = []
            for element in elements { types.append(try check(element)) }
            return .list(.common(types))
        case .map(let entries):
            var types: [ExpressionType] = []
            for entry in entries {
                let keyType = try check(entry.key)
                guard keyType == .string || keyType.isDyn else {
                    throw .type("map keys must be strings, got \(keyType.displayName)", at: entry.key.offset)
                }
                types.append(try check(entry.value))
            }
            return .map(.common(types))
        case .not(let operand):
            let type = try check(operand)
            guard type == .bool || type.isDyn else { throw .type("'!' expects bool, got \(type.displayName)", at: node.offset) }
            return .bool
        case .negate(let operand):
            let type = try check(operand)
            guard type.isNumeric || type.isDyn else {
                throw .type("'-' expects a number, got \(type.displayName)", at: node.offset)
            }
            return type
        case .binary(let operation, let left, let right):
            return try Self.binaryType(operation, try check(left), try check(right), at: node.offset)
        case .and(let operands), .or(let operands):
            let symbol = if case .and = node.form { "&&" } else { "||" }
            for operand in operands {
                let type = try check(operand)
                guard type == .bool || type.isDyn else {
                    throw .type("'\(symbol)' expects bool, got \(type.displayName)", at: operand.offset)
                }
            }
            return .bool
        case .conditional(let condition, let then, let otherwise):
            let conditionType = try check(condition)
            guard conditionType == .bool || conditionType.isDyn else {
                throw .type("condition of '?:' must be bool, got \(conditionType.displayName)", at: condition.offset)
            }
            return .common([try check(then), try check(otherwise)])
        case .has(let selection):
            _ = try check(selection)
            return .bool
        case .call(let function, let target, let arguments):
            return try callType(function, target: target, arguments: arguments, at: node.offset)
        case .comprehension(let macro, let target, let variable, let arguments):
            return try comprehensionType(macro, target: target, variable: variable, arguments: arguments, at: node.offset)
        }
    }

    private func identifierType(_ name: String, at offset: Int) throws(ExpressionError) -> ExpressionType {
        if let local = scopes.last(where: { $0.name == name }) { return local.type }
        guard let variables = schema.variables else { return .dyn }
        if let type = variables[name] { return type }
        let candidates = Array(variables.keys) + scopes.map(\.name)
        throw .type("unknown identifier '\(name)'\(ExpressionSuggestion.hint(for: name, among: candidates))", at: offset)
    }

    static func fieldType(of type: ExpressionType, field: String, at offset: Int) throws(ExpressionError) -> ExpressionType {
        switch type {
        case .dyn: return .dyn
        case .map(let valueType): return valueType
        case .object(let name, let fields, let open):
            if let fieldType = fields[field] { return fieldType }
            if open { return .dyn }
            throw .type("no field '\(field)' in \(name)\(ExpressionSuggestion.hint(for: field, among: fields.keys))", at: offset)
        default:
            throw .type("cannot select field '\(field)' on \(type.displayName)", at: offset)
        }
    }

    private mutating func indexType(operand: ExpressionType, key: ExpressionNode, at offset: Int) throws(ExpressionError) -> ExpressionType {
        let keyType = try check(key)
        switch operand {
        case .dyn:
            return .dyn
        case .list(let elementType):
            guard keyType == .int || keyType.isDyn else {
                throw .type("list index must be int, got \(keyType.displayName)", at: key.offset)
            }
            return elementType
        case .map, .object:
            guard keyType == .string || keyType.isDyn else {
                throw .type("map key must be string, got \(keyType.displayName)", at: key.offset)
            }
            if case .literal(.string(let field)) = key.form {
                return try Self.fieldType(of: operand, field: field, at: key.offset)
            }
            if case .map(let valueType) = operand { return valueType }
            return .dyn
        default:
            throw .type("cannot index \(operand.displayName)", at: offset)
        }
    }

    private mutating func comprehensionType(
        _ macro: ExpressionMacro, target: ExpressionNode, variable: String, arguments: [ExpressionNode], at offset: Int
    ) throws(ExpressionError) -> ExpressionType {
        let targetType = try check(target)
        let elementType: ExpressionType
        switch targetType {
        case .dyn: elementType = .dyn
        case .list(let type): elementType = type
        case .map, .object: elementType = .string
        default: throw .type("\(macro.rawValue)() expects a list or map, got \(targetType.displayName)", at: offset)
        }
        scopes.append((variable, elementType))
        defer { scopes.removeLast() }
        var argumentTypes: [ExpressionType] = []
        for argument in arguments { argumentTypes.append(try check(argument)) }
        let predicates = macro == .map ? argumentTypes.dropLast() : argumentTypes[...]
        for (position, type) in predicates.enumerated() where type != .bool && !type.isDyn {
            throw .type("\(macro.rawValue)() predicate must be bool, got \(type.displayName)", at: arguments[position].offset)
        }
        switch macro {
        case .all, .exists, .existsOne: return .bool
        case .filter: return .list(elementType)
        case .map: return .list(argumentTypes[argumentTypes.count - 1])
        }
    }
}
