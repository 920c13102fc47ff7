/// One rule of a policy: which resources it looks at, the condition that fails it, and what
/// to say when it does.
public struct PolicyRule: Hashable, Sendable, Codable {
    public enum Scope: String, Sendable, Codable, CaseIterable {
        /// Evaluated once per matching desired resource, with its observed state.
        case resource
        /// Evaluated once over the whole plan.
        case plan
    }

    /// `deny` fails the rule at its policy's enforcement level; `warn` only reports.
    public enum Effect: String, Sendable, Codable, CaseIterable {
        case deny
        case warn
    }

    /// Which resources a resource rule applies to; every given criterion must hold.
    public struct Match: Hashable, Sendable, Codable {
        /// Empty means every kind.
        public var kinds: [ResourceKind]
        /// Globs (`*`, `?`, `[a-z]`); empty means every name.
        public var names: [String]
        /// Every label must be present with this value (`*` matches any value).
        public var labels: [String: String]

        public init(kinds: [ResourceKind] = [], names: [String] = [], labels: [String: String] = [:]) {
            self.kinds = kinds
            self.names = names
            self.labels = labels
        }

        public func matches(_ id: ResourceID, labels resourceLabels: [String: String]) -> Bool {
            if !kinds.isEmpty && !kinds.contains(id.kind) { return false }
            if !names.isEmpty && !names.contains(where: { NameGlob($0).matches(id.name) }) { return false }
            for (key, value) in labels {
                guard let actual = resourceLabels[key] else { return false }
                if value != "*" && !NameGlob(value).matches(actual) { return false }
            }
            return true
        }
    }

    public var name: String
    public var description: String?
    public var scope: Scope
    public var match: Match
    public var effect: Effect
    /// The CEL-subset condition; the rule fails when it is true.
    public var condition: String
    public var conditionSite: ExpressionSite
    /// `{{ expression }}` placeholders are filled in from the same bindings.
    public var message: String?
    public var messageSite: ExpressionSite?
    /// Where the rule was written.
    public var location: SourceLocation?

    public init(name: String, description: String? = nil, scope: Scope = .resource, match: Match = Match(), effect: Effect,
                condition: String, conditionSite: ExpressionSite, message: String? = nil, messageSite: ExpressionSite? = nil,
                location: SourceLocation? = nil) {
        self.name = name
        self.description = description
        self.scope = scope
        self.match = match
        self.effect = effect
        self.condition = condition
        self.conditionSite = conditionSite
        self.message = message
        self.messageSite = messageSite
        self.location = location
    }
}
