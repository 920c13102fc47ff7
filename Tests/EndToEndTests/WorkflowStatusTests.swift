import Foundation
import OrbrecTestSupport
import Testing

/// Workflows in `status` and `graph` through the binary: after a run ended the configuration
/// is converged (a failed run too, degraded), workflows have rows, the pool a step refers to
/// is a pattern, `graph` needs no name for the only workflow and `graph --resources` draws
/// what uses what.
@Suite("Workflow status end to end", .serialized)
struct WorkflowStatusEndToEndTests {
    static func configuration(_ harness: Harness, failing: Bool = false) -> String {
        """
        apiVersion: orbrec/v1
        kind: Provider
        metadata: {name: here}
        spec: {type: local}
        ---
        apiVersion: orbrec/v1
        kind: Template
        metadata: {name: sleeper}
        spec: {provider: here, command: ["sleep", "300"], stopTimeout: 2s}
        ---
        apiVersion: orbrec/v1
        kind: Fleet
        metadata: {name: workers}
        spec: {template: sleeper, count: 0}
        ---
        apiVersion: orbrec/v1
        kind: Scheduler
        metadata: {name: cpu}
        spec: {type: local, slots: 4}
        ---
        apiVersion: orbrec/v1
        kind: TaskPool
        metadata: {name: sims}
        spec:
          scheduler: cpu
          range: {from: 1, to: 3}
          command: ["sh", "-c", "\(failing ? "test ${item} -ne 2 || exit 3; " : "")sleep 0.2"]
          retry: {maxAttempts: 1}
        ---
        apiVersion: orbrec/v1
        kind: Workflow
        metadata: {name: nightly}
        spec:
          trigger: {onChange: true}
          steps:
            - name: capacity
              provision: {fleet: workers, count: 1, waitReady: true}
            - name: simulate
              needs: [capacity]
              taskPool: {ref: sims}
            - name: release
              needs: [simulate]
              always: true
              provision: {fleet: workers, count: 0}
        """
    }

    static func status(_ harness: Harness) throws -> (converged: Bool, rows: [String: [String: String]]) {
        let result = try harness.orbrec("status", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let resources = document["resources"] as? [[String: String]] ?? []
        return (document["converged"] as? Bool ?? false,
                Dictionary(resources.map { ($0["resource"] ?? "", $0) }, uniquingKeysWith: { first, _ in first }))
    }

    @Test(arguments: TestStateBackend.allCases)
    func aWorkflowThatRanToTheEndIsConverged(_ backend: TestStateBackend) throws {
        let harness = try Harness(backend: backend)
        try harness.write("orbrec.yaml", Self.configuration(harness))
        let before = try Self.status(harness)
        #expect(!before.converged)
        #expect(before.rows["Workflow/nightly"]?["sync"] == "OutOfSync")
        #expect(before.rows["Workflow/nightly"]?["message"]?.hasPrefix("a run is due: generation ") == true, "\(before.rows)")

        let apply = try harness.orbrec("apply", "--auto-approve", "--wait", "--timeout", "90s")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let after = try Self.status(harness)
        #expect(after.converged, "\(after.rows)")
        let workflow = try #require(after.rows["Workflow/nightly"])
        #expect(workflow["sync"] == "Synced" && workflow["health"] == "Healthy")
        #expect(workflow["desired"] == "onChange")
        #expect(workflow["observed"]?.hasPrefix("wr-") == true && workflow["observed"]?.hasSuffix(" succeeded (3/3 steps)") == true, "\(workflow)")
        let pattern = try #require(after.rows["TaskPool/sims"])
        #expect(pattern["sync"] == "Synced" && pattern["observed"] == "pattern", "\(pattern)")
        #expect(!after.rows.keys.contains { $0.hasPrefix("TaskPool/wr-") }, "an ended run's pool is no longer desired")

        let text = try harness.orbrec("status")
        #expect(text.stdout.split(separator: "\n").contains { $0.hasPrefix("Workflow/nightly") && $0.contains("Synced") }, "\(text.stdout)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func aFailedRunEndedSoTheConfigurationIsConvergedButDegraded(_ backend: TestStateBackend) throws {
        let harness = try Harness(backend: backend)
        try harness.write("orbrec.yaml", Self.configuration(harness, failing: true))
        #expect(try harness.orbrec("apply", "--auto-approve", "--wait", "--timeout", "90s").status == 1)
        let after = try Self.status(harness)
        #expect(after.converged, "\(after.rows)")
        let workflow = try #require(after.rows["Workflow/nightly"])
        #expect(workflow["health"] == "Degraded" && workflow["sync"] == "Synced")
        #expect(workflow["message"]?.contains("failed: simulate") == true, "\(workflow)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func graphNeedsNoNameForTheOnlyWorkflowAndDrawsResources(_ backend: TestStateBackend) throws {
        let harness = try Harness(backend: backend)
        try harness.write("orbrec.yaml", Self.configuration(harness))
        let graph = try harness.orbrec("graph")
        #expect(graph.status == 0, "\(graph.stderr)")
        #expect(graph.stdout.hasPrefix("digraph \"nightly\" {") && graph.stdout.contains("\"capacity\" -> \"simulate\";"), "\(graph.stdout)")

        let resources = try harness.orbrec("graph", "--resources")
        #expect(resources.status == 0, "\(resources.stderr)")
        for edge in ["\"Provider/here\" -> \"Template/sleeper\";", "\"Template/sleeper\" -> \"Fleet/workers\";",
                     "\"Scheduler/cpu\" -> \"TaskPool/sims\";", "\"Workflow/nightly\" -> \"TaskPool/sims\" [style=dashed, label=\"simulate\"];"] {
            #expect(resources.stdout.contains(edge), "\(edge) in \(resources.stdout)")
        }
        let mermaid = try harness.orbrec("graph", "--resources", "--format", "mermaid")
        #expect(mermaid.stdout.contains("provider_here --> template_sleeper"), "\(mermaid.stdout)")

        // With two workflows, the name is needed and the choices are named.
        try harness.write("second.yaml", """
            apiVersion: orbrec/v1
            kind: Workflow
            metadata: {name: weekly}
            spec:
              steps:
                - name: only
                  taskPool: {ref: sims}
            """)
        let ambiguous = try harness.orbrec("graph")
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.contains("name a workflow: nightly, weekly"), "\(ambiguous.stderr)")
        #expect(try harness.orbrec("graph", "weekly").stdout.contains("\"only\""))
    }
}
