internal import OrbrecCore

/// The policy section of a plan: violations grouped by policy, each with the resource's file
/// and line, and a closing line that says whether an apply may go ahead.
struct PolicyRenderer {
    let terminal: Terminal

    /// Nothing at all when the configuration has no policies.
    func render(_ report: PolicyReport, override: String?) -> String? {
        guard report.policies > 0 else { return nil }
        var lines: [String] = []
        let checked = "\(report.policies) polic\(report.policies == 1 ? "y" : "ies"), \(report.rules) rule(s), "
            + "\(report.evaluations) check(s)"
        if report.violations.isEmpty {
            return terminal.green("Policy checks passed:") + " \(checked)."
        }
        lines.append(terminal.bold("Policy checks:") + " \(checked).")
        for (policy, violations) in report.byPolicy {
            let enforcement = violations.first?.enforcement.rawValue ?? ""
            let failed = violations.filter { $0.level != .warn }.count
            let warned = violations.count - failed
            var counts: [String] = []
            if failed > 0 { counts.append("\(failed) failed") }
            if warned > 0 { counts.append("\(warned) warning(s)") }
            lines.append("")
            lines.append("  Policy/\(policy) (\(enforcement)): \(counts.joined(separator: ", "))")
            for violation in violations {
                let where_ = violation.resource.map { "\($0)" } ?? "plan"
                let location = violation.location.map { " (\($0))" } ?? ""
                lines.append("    \(mark(violation)) \(violation.rule): \(where_)\(location): \(violation.message)")
            }
        }
        lines.append("")
        lines.append(verdict(report, override: override))
        return lines.joined(separator: "\n")
    }

    /// `✗` red when it blocks, yellow when advisory; `!` for a warning.
    func mark(_ violation: PolicyViolation) -> String {
        switch (violation.level, violation.isBlocking) {
        case (.warn, _): terminal.yellow("!")
        case (_, true): terminal.red("✗")
        default: terminal.yellow("✗")
        }
    }

    private func verdict(_ report: PolicyReport, override: String?) -> String {
        let hard = report.hardBlocking.count
        let soft = report.blocking.count - hard
        if hard > 0 {
            return terminal.red("Policy check failed:") + " \(hard) hard-mandatory violation(s) block apply; no override lifts them."
        }
        if soft > 0 {
            if let override {
                return terminal.yellow("Policy check overridden:") + " \(soft) soft-mandatory violation(s), overridden (\"\(override)\")."
            }
            return terminal.red("Policy check failed:") + " \(soft) soft-mandatory violation(s) block apply; "
                + "to go ahead anyway, apply with --policy-override \"reason\" (journaled)."
        }
        return terminal.yellow("Policy check passed with advisories:") + " nothing blocks apply."
    }
}
