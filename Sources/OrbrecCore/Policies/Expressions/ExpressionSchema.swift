/// The root identifiers an expression may use and their types. A closed schema turns a
/// misspelt identifier into a parse-time error instead of a runtime "no such variable".
public struct ExpressionSchema: Sendable {
    /// `nil` for the open schema, which accepts any identifier as `.dyn`.
    let variables: [String: ExpressionType]?

    /// Accepts any root identifier, typed `.dyn`; lookups are checked only at evaluation.
    public static let open = ExpressionSchema(openSchema: ())

    public init(variables: [String: ExpressionType]) {
        self.variables = variables
    }

    private init(openSchema: Void) {
        variables = nil
    }
}
