/// What one API route or MCP tool asks of a token: its scope, or one of a few others that
/// also let the call through (a worker reads the tasks it works on without `read`).
public struct ScopeRequirement: Sendable, Equatable {
    /// The scope a refusal names.
    public let scope: AccessScope
    public let alternatives: Set<AccessScope>

    public init(_ scope: AccessScope, or alternatives: Set<AccessScope> = []) {
        self.scope = scope
        self.alternatives = alternatives
    }

    public static let read = ScopeRequirement(.read)
    public static let operate = ScopeRequirement(.operate)
    public static let worker = ScopeRequirement(.worker)

    public func isMet(by granted: Set<AccessScope>) -> Bool {
        granted.contains(scope) || !granted.isDisjoint(with: alternatives)
    }
}
