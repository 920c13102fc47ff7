import Foundation
import Testing

/// Workflows validated with every problem at its location, drawn as dot or mermaid,
/// listed, and the runs a plan would start named with why.
@Suite("Workflows (validation and graphs)")
struct WorkflowValidationTests {
    static let example: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("examples/workflow").path
    }()

    @Test func theExampleValidatesDrawsAndIsNamedInThePlan() throws {
        let harness = try Harness()
        let validate = try harness.run(["validate", "-c", Self.example])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        let dot = try harness.run(["graph", "nightly", "-c", Self.example])
        #expect(dot.status == 0)
        #expect(dot.stdout.contains("\"capacity\" -> \"simulate\";"))
        #expect(dot.stdout.contains("\"report\" -> \"release\";"))
        #expect(dot.stdout.contains("style=\"rounded,dashed\""), "the always step is dashed")
        let mermaid = try harness.run(["graph", "nightly", "--format", "mermaid", "-c", Self.example])
        #expect(mermaid.stdout.hasPrefix("flowchart LR"))
        #expect(mermaid.stdout.contains("s_simulate --> s_report"))
        let missing = try harness.run(["graph", "weekly", "-c", Self.example])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no workflow 'weekly' in the configuration; workflows: nightly"))
        let list = try harness.run(["workflows", "list", "-o", "json", "-c", Self.example])
        #expect(list.status == 0, "\(list.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(rows.count == 1)
        #expect(rows.first?["steps"] as? [String] == ["capacity", "simulate", "report", "release"])
        #expect(rows.first?["schedule"] as? String == "0 2 * * *")
        let next = (rows.first?["next_scheduled_at"] as? NSNumber)?.int64Value ?? 0
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(next > now && next <= now + 86_400_000 && next % 86_400_000 == 7_200_000, "the next 02:00 UTC: \(next)")
        let plan = try harness.run(["plan", "-c", Self.example, "--state", harness.state])
        #expect(plan.stdout.contains("Workflow/nightly: a run would start (change: generation "), "\(plan.stdout)\(plan.stderr)")
        let detailed = try harness.run(["plan", "--detailed-exitcode", "-c", Self.example, "--state", harness.state])
        #expect(detailed.status == 2, "a run to start is a change")
    }

    @Test func aCycleIsReportedWhereItIsWritten() throws {
        let harness = try Harness()
        try harness.write("wf.yaml", """
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: cpu}
            spec: {type: local}
            ---
            apiVersion: orbrec/v1
            kind: Workflow
            metadata: {name: loop}
            spec:
              steps:
                - name: a
                  needs: [b]
                  run: {scheduler: cpu, command: ["true"]}
                - name: b
                  needs: [a]
                  run: {scheduler: cpu, command: ["true"]}
            """)
        let result = try harness.orbrec("validate")
        #expect(result.status == 1)
        #expect(result.stderr.contains("wf.yaml:11:7: error: steps form a cycle: a → b → a"), "\(result.stderr)")
    }
}
