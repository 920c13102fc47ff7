/// One field of a mapping: its name, what it holds, whether it must be written, and what it
/// means, for the decoder's unknown-field checks, the JSON Schema and `orbrec explain`.
public struct FieldSchema: Sendable {
    public var name: String
    public var value: ValueSchema
    /// Required whatever else is written. Fields required only with others (a pool's
    /// `scheduler` unless it is a pull pool) say so in their description.
    public var required: Bool
    public var description: String

    public init(_ name: String, _ value: ValueSchema, required: Bool = false, _ description: String) {
        self.name = name
        self.value = value
        self.required = required
        self.description = description
    }
}
