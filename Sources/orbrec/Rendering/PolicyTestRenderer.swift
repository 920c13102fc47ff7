internal import OrbrecCore
internal import OrbrecAPI

/// `orbrec policy test`: every rule with how many checks it made and what failed, then a
/// count line in conftest's manner.
struct PolicyTestRenderer {
    let terminal: Terminal

    func render(_ report: PolicyReport, desired: DesiredState) -> String {
        guard report.policies > 0 else { return "No policies: nothing to test. Add Policy documents or pass --policies DIR." }
        var lines: [String] = []
        var byRule: [String: [PolicyViolation]] = [:]
        for violation in report.violations { byRule["\(violation.policy)/\(violation.rule)", default: []].append(violation) }
        for policy in desired.policies.values.sorted(by: { $0.name < $1.name }) {
            let location = policy.metadata.location.map { " \(terminal.dim($0.description))" } ?? ""
            lines.append(terminal.bold("Policy/\(policy.name)") + " (\(policy.enforcement.rawValue))\(location)")
            for rule in policy.rules {
                let key = "\(policy.name)/\(rule.name)"
                let checks = report.ruleEvaluations[key] ?? 0
                let failures = byRule[key] ?? []
                let scope = rule.scope == .plan ? "the plan" : "\(checks) resource(s)"
                if failures.isEmpty {
                    let mark = checks == 0 ? terminal.dim("-") : terminal.green("✓")
                    lines.append("  \(mark) \(rule.name): \(checks == 0 ? "matched no resource" : "passed for \(scope)")")
                    continue
                }
                for violation in failures {
                    let mark = PolicyRenderer(terminal: terminal).mark(violation)
                    let subject = violation.resource.map { "\($0)" } ?? "plan"
                    let place = violation.location.map { " (\($0))" } ?? ""
                    lines.append("  \(mark) \(rule.name): \(subject)\(place): \(violation.message)")
                }
            }
        }
        let counts = PolicyTestDocument.Counts(report)
        lines.append("")
        lines.append("\(counts.checks) check(s), \(counts.passed) passed, \(counts.warnings) warning(s), \(counts.failures) failure(s), "
                     + "\(counts.errors) error(s); \(counts.blocking) blocking")
        return lines.joined(separator: "\n")
    }
}

/// `orbrec policy test --json`.
struct PolicyTestDocument: Codable {
    struct Counts: Codable {
        var checks: Int
        var passed: Int
        var warnings: Int
        var failures: Int
        var errors: Int
        var blocking: Int

        init(_ report: PolicyReport) {
            checks = report.evaluations
            warnings = report.violations.filter { $0.level == .warn }.count
            failures = report.violations.filter { $0.level == .deny }.count
            errors = report.violations.filter { $0.level == .error }.count
            passed = checks - warnings - failures - errors
            blocking = report.blocking.count
        }
    }

    var counts: Counts
    var blocked: Bool
    var violations: [PlanDocument.Violation]

    init(_ report: PolicyReport) {
        counts = Counts(report)
        blocked = report.blocks(overridden: false)
        violations = report.violations.map(PlanDocument.Violation.init)
    }
}
