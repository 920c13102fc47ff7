/// Checks policies against the desired resources and a plan. Pure: it reads only what it is
/// given, and every expression runs within a cost budget.
public struct PolicyEvaluator: Sendable {
    /// Steps one expression may take before it is stopped (and reported as an error).
    public var budget: Int

    public init(budget: Int = 100_000) {
        self.budget = budget
    }

    public func evaluate(_ policies: [PolicySpec], subjects: [PolicySubject], plan: PolicyValue) -> PolicyReport {
        var report = PolicyReport(policies: policies.count, rules: policies.reduce(0) { $0 + $1.rules.count })
        let ordered = subjects.sorted { $0.id < $1.id }
        for policy in policies.sorted(by: { $0.name < $1.name }) {
            for rule in policy.rules {
                let compiled = CompiledRule(rule)
                let key = "\(policy.name)/\(rule.name)"
                report.ruleEvaluations[key] = 0
                switch rule.scope {
                case .resource:
                    for subject in ordered where rule.match.matches(subject.id, labels: subject.metadata.labels) {
                        report.evaluations += 1
                        report.ruleEvaluations[key, default: 0] += 1
                        if let violation = check(compiled, of: policy, bindings: subject.bindings, resource: subject.id,
                                                 location: subject.metadata.location) {
                            report.violations.append(violation)
                        }
                    }
                case .plan:
                    report.evaluations += 1
                    report.ruleEvaluations[key, default: 0] += 1
                    if let violation = check(compiled, of: policy, bindings: ["plan": plan], resource: nil, location: rule.location) {
                        report.violations.append(violation)
                    }
                }
            }
        }
        return report
    }

    private func check(_ compiled: CompiledRule, of policy: PolicySpec, bindings: [String: PolicyValue], resource: ResourceID?,
                       location: SourceLocation?) -> PolicyViolation? {
        let rule = compiled.rule
        func violation(_ level: PolicyViolation.Level, _ message: String) -> PolicyViolation {
            PolicyViolation(policy: policy.name, rule: rule.name, enforcement: policy.enforcement, level: level, resource: resource,
                            location: location, ruleLocation: rule.location, message: message, effect: rule.effect)
        }
        let subject = resource.map { " for \($0)" } ?? " for the plan"
        let expression: PolicyExpression
        switch compiled.condition {
        case .success(let parsed): expression = parsed
        case .failure(let error): return violation(.error, "rule \(rule.name) cannot be parsed: \(error.message)")
        }
        let outcome: PolicyValue
        do throws(ExpressionError) {
            outcome = try expression.evaluate(bindings, budget: budget)
        } catch {
            return violation(.error, "rule \(rule.name) could not be evaluated\(subject): \(error.message)")
        }
        guard case .bool(let failed) = outcome else {
            return violation(.error, "rule \(rule.name) must give true or false, not \(outcome.typeName)\(subject)")
        }
        guard failed else { return nil }
        let level: PolicyViolation.Level = rule.effect == .deny ? .deny : .warn
        if let template = compiled.message {
            return violation(level, template.render(bindings, budget: budget))
        }
        return violation(level, "\(rule.effect == .deny ? "denied" : "warning") by rule \(rule.name)\(subject)")
    }
}

/// A rule with its expressions parsed once for all the resources it is checked against.
private struct CompiledRule {
    let rule: PolicyRule
    let condition: Result<PolicyExpression, ExpressionError>
    let message: MessageTemplate?

    init(_ rule: PolicyRule) {
        self.rule = rule
        do throws(ExpressionError) {
            condition = .success(try PolicyExpression(parsing: rule.condition))
        } catch {
            condition = .failure(error)
        }
        message = rule.message.flatMap { try? MessageTemplate(parsing: $0) }
    }
}
