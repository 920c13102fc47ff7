/// A rule that failed (or could not be evaluated) for one resource or for the plan.
public struct PolicyViolation: Hashable, Sendable, Codable {
    public enum Level: String, Sendable, Codable, CaseIterable {
        /// A `deny` rule held.
        case deny
        /// A `warn` rule held: reported, never blocking.
        case warn
        /// The rule could not be evaluated (a missing field, a type mismatch, its cost):
        /// treated as a denial, since a guardrail that cannot be checked must not pass.
        case error
    }

    public var policy: String
    public var rule: String
    public var enforcement: PolicySpec.Enforcement
    public var level: Level
    /// The resource the rule failed for; nil for a plan rule.
    public var resource: ResourceID?
    /// The resource's document (resource rules) or the rule (plan rules).
    public var location: SourceLocation?
    /// Where the rule was written.
    public var ruleLocation: SourceLocation?
    public var message: String
    /// The rule's effect: an error in a `warn` rule is reported but, like its warnings,
    /// never blocks.
    public var effect: PolicyRule.Effect

    public init(policy: String, rule: String, enforcement: PolicySpec.Enforcement, level: Level, resource: ResourceID?,
                location: SourceLocation?, ruleLocation: SourceLocation?, message: String, effect: PolicyRule.Effect = .deny) {
        self.effect = effect
        self.policy = policy
        self.rule = rule
        self.enforcement = enforcement
        self.level = level
        self.resource = resource
        self.location = location
        self.ruleLocation = ruleLocation
        self.message = message
    }

    /// Whether this violation stops an apply: a denial (or an error) of a mandatory policy.
    public var isBlocking: Bool { level != .warn && effect == .deny && enforcement != .advisory }

    /// What identifies this violation across plans of one configuration: the override key.
    public var subjectKey: String { "\(rule) \(resource?.description ?? "plan")" }

    /// Whether `--policy-override` lets an apply through despite it.
    public var isOverridable: Bool { isBlocking && enforcement == .softMandatory }

    /// `policy-deny`, `policy-warn` or `policy-error`.
    public var code: String { "policy-\(level.rawValue)" }
}
