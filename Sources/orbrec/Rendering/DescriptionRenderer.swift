internal import Foundation
internal import OrbrecCore
internal import OrbrecEngine
internal import Yams
internal import OrbrecAPI

/// `orbrec describe` as text: `Name:` lines, then the spec, conditions, machines or tasks,
/// actions and events, each a section with its own table, as `kubectl describe` reads.
struct DescriptionRenderer {
    let session: Session

    func render(_ document: DescriptionDocument) -> String {
        let now = SystemClock().now()
        var lines: [String] = []
        func field(_ name: String, _ value: String) { lines.append((name + ":").padding(toLength: 14, withPad: " ", startingAt: 0) + value) }
        field("Name", document.name)
        field("Kind", document.kind)
        if let source = document.source { field("Source", source) }
        if document.inConfiguration == false { field("Note", "no longer in the configuration; shown as last applied") }
        if !document.labels.isEmpty { field("Labels", GetCommand.labelText(document.labels)) }
        if !document.annotations.isEmpty { field("Annotations", GetCommand.labelText(document.annotations)) }
        if let status = document.status {
            field("Desired", status.desired)
            field("Observed", status.observed)
            field("Sync", status.sync)
            field("Health", status.health)
            if !status.message.isEmpty { field("Message", status.message) }
        }
        if let machine = document.machine {
            field("Fleet", machine.fleet)
            field("Template", "\(machine.template) (\(machine.templateHash))")
            field("State", machine.state)
            field("Provider", machine.provider + (machine.providerId.map { " (\($0))" } ?? ""))
            field("Request", machine.request)
            field("Created", Format.time(Instant(millisecondsSinceEpoch: machine.createdAt)))
            if !machine.message.isEmpty { field("Message", machine.message) }
            if let log = machine.log { field("Log", log) }
        }
        if let spec = document.spec, let text = try? YAMLEncoder().encode(spec) {
            lines.append("Spec:")
            lines += text.split(separator: "\n", omittingEmptySubsequences: true).map { "  " + $0 }
        }
        var conditions = Table("TYPE", "STATUS", "REASON", "LAST TRANSITION", "MESSAGE")
        for row in document.conditions {
            conditions.add(row.type, row.status, row.reason, Format.time(Instant(millisecondsSinceEpoch: row.lastTransitionTime)), row.message)
        }
        section("Conditions", document.conditions.isEmpty ? nil : conditions, into: &lines)
        if let machines = document.machines {
            var table = Table("ID", "STATE", "PROVIDER ID", "AGE", "REQUEST")
            for row in machines {
                table.add(row.id, row.state, row.providerId ?? "-", Format.age(Instant(millisecondsSinceEpoch: row.createdAt), now: now), row.request)
            }
            section("Machines", machines.isEmpty ? nil : table, into: &lines)
        }
        if let tasks = document.tasks {
            var table = Table("KEY", "STATE", "ATTEMPTS", "LAST", "START", "END", "ELAPSED")
            for row in tasks {
                let times = TaskTimes(row, finished: (TaskState(rawValue: row.state)?.isFinished ?? false), now: now)
                table.add(row.key, row.state, "\(row.attemptsStarted)", row.lastResult ?? "-", times.start.map(Format.time) ?? "-",
                          times.end.map(Format.time) ?? "-", times.elapsed.map(Format.duration) ?? "-")
            }
            section("Tasks", tasks.isEmpty ? nil : table, into: &lines)
        }
        section("Recent actions", document.actions.isEmpty ? nil : ActionDocument.table(document.actions, now: now), into: &lines)
        var events = Table("TIME", "SUBJECT", "FROM", "TO", "CAUSE")
        for event in document.events {
            events.add(Format.time(Instant(millisecondsSinceEpoch: event.at)), event.subject, event.from ?? "-", event.to, event.cause)
        }
        section("Events", document.events.isEmpty ? nil : events, into: &lines)
        return lines.joined(separator: "\n")
    }

    private func section(_ title: String, _ table: Table?, into lines: inout [String]) {
        lines.append("\(title):")
        guard let table else {
            lines.append("  <none>")
            return
        }
        lines += table.rendered.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
    }
}
