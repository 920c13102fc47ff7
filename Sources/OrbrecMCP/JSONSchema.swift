internal import MCP

/// The few JSON Schema shapes the tools' inputs use.
enum JSONSchema {
    static func object(_ properties: [String: Value] = [:], required: [String] = []) -> Value {
        var schema: [String: Value] = ["type": "object", "properties": .object(properties), "additionalProperties": false]
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        return .object(schema)
    }

    static func string(_ description: String) -> Value {
        ["type": "string", "minLength": 1, "description": .string(description)]
    }

    static func strings(_ description: String) -> Value {
        ["type": "array", "items": ["type": "string", "minLength": 1], "description": .string(description)]
    }

    static func integer(_ description: String, _ range: ClosedRange<Int64>) -> Value {
        ["type": "integer", "minimum": .int(Int(range.lowerBound)), "maximum": .int(Int(range.upperBound)), "description": .string(description)]
    }

    static func boolean(_ description: String) -> Value {
        ["type": "boolean", "description": .string(description)]
    }

    static func any(_ description: String) -> Value {
        ["description": .string(description)]
    }
}
