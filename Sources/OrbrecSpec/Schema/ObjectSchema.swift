/// The fields of one mapping, with the rules between them that a schema can state.
public struct ObjectSchema: Sendable {
    public var description: String
    public var fields: [FieldSchema]
    /// Groups of fields of which exactly one must be written (a pool's items, range, matrix).
    public var exactlyOne: [[String]]
    /// Groups of fields of which at most one may be written (instanceType, instanceTypes).
    public var atMostOne: [[String]]

    public init(_ description: String, _ fields: [FieldSchema], exactlyOne: [[String]] = [], atMostOne: [[String]] = []) {
        self.description = description
        self.fields = fields
        self.exactlyOne = exactlyOne
        self.atMostOne = atMostOne
    }

    public var names: [String] { fields.map(\.name) }

    public subscript(name: String) -> FieldSchema? { fields.first { $0.name == name } }

    /// The mapping below `name`, when that field holds one.
    func child(_ name: String) -> ObjectSchema? { self[name]?.value.object }
}
