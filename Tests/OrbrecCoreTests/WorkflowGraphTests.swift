import Testing
import OrbrecCore

@Suite("Workflow graphs")
struct WorkflowGraphTests {
    static func step(_ name: String, _ needs: [String] = [], line: Int = 1) -> WorkflowSpec.Step {
        WorkflowSpec.Step(name: name, needs: needs, work: .taskPool(ref: "p"), location: SourceLocation(file: "wf.yaml", line: line, column: 7))
    }

    @Test func orderKeepsTheWrittenOrderAmongFreeSteps() {
        let graph = WorkflowGraph([Self.step("release", ["report"]), Self.step("capacity"), Self.step("simulate", ["capacity"]),
                                   Self.step("lint"), Self.step("report", ["simulate", "lint"])])
        #expect(graph.problems.isEmpty)
        #expect(graph.order == ["capacity", "simulate", "lint", "report", "release"])
    }

    @Test func cyclesAreReportedOnceWithTheirPathAndLocation() {
        let graph = WorkflowGraph([Self.step("a", ["c"], line: 3), Self.step("b", ["a"], line: 5), Self.step("c", ["b"], line: 7),
                                   Self.step("d", ["d"], line: 9)])
        #expect(graph.order == nil)
        #expect(graph.cycles.filter { $0.count > 1 } == [["a", "c", "b"]])
        let messages = graph.problems.map(\.rendered)
        #expect(messages.contains("wf.yaml:3:7: error: steps form a cycle: a → c → b → a"))
        #expect(messages.contains("wf.yaml:9:7: error: step 'd' needs itself"))
    }

    @Test func unknownNeedsAndDuplicatesAreReported() {
        let graph = WorkflowGraph([Self.step("capacity", line: 2), Self.step("simulate", ["capcity"], line: 4), Self.step("capacity", line: 6)])
        let messages = graph.problems.map(\.rendered)
        #expect(messages.contains("wf.yaml:4:7: error: step 'simulate' needs 'capcity', which is not a step of this workflow; did you mean 'capacity'?"))
        #expect(messages.contains("wf.yaml:6:7: error: step 'capacity' is declared twice; step names must be unique"))
    }
}

@Suite("Workflow graph rendering")
struct WorkflowGraphRenderTests {
    let graph = WorkflowGraph([
        WorkflowSpec.Step(name: "capacity", work: .provision(fleet: "workers", count: 2, waitReady: true)),
        WorkflowSpec.Step(name: "simulate", needs: ["capacity"], work: .taskPool(ref: "sims")),
        WorkflowSpec.Step(name: "release", needs: ["simulate"], work: .provision(fleet: "workers", count: 0, waitReady: false), always: true),
    ])

    @Test func dot() {
        #expect(graph.dot(name: "nightly") == """
            digraph "nightly" {
              rankdir=LR;
              node [shape=box, style=rounded];
              "capacity" [label="capacity\\nprovision workers to 2, wait ready"];
              "simulate" [label="simulate\\npool sims"];
              "release" [label="release\\nprovision workers to 0", style="rounded,dashed"];
              "capacity" -> "simulate";
              "simulate" -> "release";
            }
            """)
    }

    @Test func mermaid() {
        #expect(graph.mermaid() == """
            flowchart LR
              s_capacity["capacity: provision workers to 2, wait ready"]
              s_simulate["simulate: pool sims"]
              s_release(["release: provision workers to 0"])
              s_capacity --> s_simulate
              s_simulate --> s_release
            """)
    }
}
