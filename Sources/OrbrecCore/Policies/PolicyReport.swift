/// What evaluating every policy against a plan found.
public struct PolicyReport: Hashable, Sendable, Codable {
    public var violations: [PolicyViolation]
    /// How many rule evaluations were made (rule × matching resource, plus plan rules).
    public var evaluations: Int
    public var policies: Int
    public var rules: Int
    /// Evaluations per rule, keyed `policy/rule`: a rule that matched nothing shows 0.
    public var ruleEvaluations: [String: Int] = [:]

    public init(violations: [PolicyViolation] = [], evaluations: Int = 0, policies: Int = 0, rules: Int = 0) {
        self.violations = violations
        self.evaluations = evaluations
        self.policies = policies
        self.rules = rules
    }

    public var blocking: [PolicyViolation] { violations.filter(\.isBlocking) }

    /// This report with the violations of `other` it does not already have: two checks of
    /// what one apply will do (the saved plan's actions, and the plan made now).
    public func merged(with other: PolicyReport) -> PolicyReport {
        var result = self
        let known = Set(violations)
        result.violations += other.violations.filter { !known.contains($0) }
        result.evaluations = max(evaluations, other.evaluations)
        for (key, count) in other.ruleEvaluations { result.ruleEvaluations[key] = max(result.ruleEvaluations[key] ?? 0, count) }
        return result
    }

    /// Blocking violations that no override lifts.
    public var hardBlocking: [PolicyViolation] { blocking.filter { !$0.isOverridable } }

    /// Whether an apply must stop, given whether an override reason was given.
    public func blocks(overridden: Bool) -> Bool {
        overridden ? !hardBlocking.isEmpty : !blocking.isEmpty
    }

    /// Violations grouped by policy, policies in name order, each group in the order found.
    public var byPolicy: [(policy: String, violations: [PolicyViolation])] {
        var groups: [String: [PolicyViolation]] = [:]
        for violation in violations { groups[violation.policy, default: []].append(violation) }
        return groups.keys.sorted().map { ($0, groups[$0] ?? []) }
    }
}
