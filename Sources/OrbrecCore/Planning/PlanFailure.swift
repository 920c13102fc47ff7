/// Why no plan could be made (a guard tripped, a limit exceeded). Nothing is applied.
public struct PlanFailure: Error, Sendable, Hashable {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
