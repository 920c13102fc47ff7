internal import OrbrecCore
internal import OrbrecEngine

/// The text form of a plan, with Terraform's symbols and a closing summary line.
struct PlanRenderer {
    let terminal: Terminal

    func render(_ result: PlanResult) -> String {
        let plan = result.plan
        var lines: [String] = []
        if !plan.drift.isEmpty {
            lines.append(terminal.bold("Drift since the last apply:"))
            for item in plan.drift {
                lines.append("  \(terminal.yellow("!")) \(item.resource): \(item.message)")
            }
            lines.append("")
        }
        if plan.hasNoChanges {
            lines.append(terminal.green("No changes.") + " The machines match the configuration.")
            return lines.joined(separator: "\n")
        }
        lines.append("orbrec will perform the following actions:")
        lines.append("")
        for item in result.scheduled {
            let action = item.action
            lines.append(terminal.dim("  # \(action.resource): \(action.reason)"))
            lines.append("\(symbol(action.verb)) \(action.verb.rawValue) \(action.detail)")
            lines += action.changes.map(changeLine)
            lines.append("")
        }
        for update in plan.updates {
            lines.append(terminal.dim("  # \(update.resource): spec-changed"))
            lines.append("\(terminal.yellow("  ~")) update \(update.resource) in place")
            lines += update.changes.map(changeLine)
            lines.append("")
        }
        lines.append(summaryLine(plan))
        return lines.joined(separator: "\n")
    }

    /// `      ~ command: ["sleep", "300"] -> ["sleep", "400"]  # forces replacement`, as Terraform
    /// shows an attribute: `+` set, `-` unset, `~` changed.
    func changeLine(_ change: FieldChange) -> String {
        let value: String
        switch (change.before, change.after) {
        case (nil, let after?): value = after
        case (let before?, nil): value = "\(before) -> null"
        case (let before?, let after?): value = "\(before) -> \(after)"
        case (nil, nil): value = ""
        }
        let mark: String
        switch change.symbol {
        case "+": mark = terminal.green("+")
        case "-": mark = terminal.red("-")
        default: mark = terminal.yellow("~")
        }
        let note = change.forcesReplacement ? terminal.red("  # forces replacement") : ""
        return "      \(mark) \(change.field): \(value)\(note)"
    }

    private func symbol(_ verb: Verb) -> String {
        let padded = String(repeating: " ", count: max(0, 3 - verb.symbol.count)) + verb.symbol
        switch verb {
        case .provision, .submit, .retry: return terminal.green(padded)
        case .return, .cancel: return terminal.red(padded)
        default: return terminal.yellow(padded)
        }
    }

    /// `Plan: 3 to provision, 2 to return, 1 to replace.` (machines, not actions)
    func summaryLine(_ plan: Plan) -> String {
        let summary = plan.summary
        var parts = [(Verb.provision, "provision"), (.return, "return"), (.replace, "replace")].map { verb, word in
            "\(summary[verb] ?? 0) to \(word)"
        }
        // Task verbs appear once a plan has them, so a fleet-only plan reads as before.
        for (verb, word) in [(Verb.submit, "submit"), (.retry, "retry"), (.cancel, "cancel"), (.deadLetter, "dead-letter")]
        where (summary[verb] ?? 0) > 0 {
            parts.append("\(summary[verb] ?? 0) to \(word)")
        }
        if !plan.updates.isEmpty { parts.append("\(plan.updates.count) to update in place") }
        return terminal.bold("Plan:") + " " + parts.joined(separator: ", ") + "."
    }
}
