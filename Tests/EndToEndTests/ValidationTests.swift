import Foundation
import Testing

@Suite struct ValidationTests {
    @Test func anInvalidConfigurationReportsEveryErrorAndAppliesNothing() throws {
        let h = try Harness()
        try h.writeFleet(count: 2)
        try h.write("broken.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: Bad_Name}
            spec: {template: sleepr, cuont: 2}
            """)
        for command in [["validate"], ["plan"], ["apply", "--auto-approve"]] {
            let result = try h.run(command + ["-c", h.config, "--state", h.state])
            #expect(result.status == 1, "\(command)")
            let lines = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
            #expect(lines.count == 2, "\(result.stderr)")
            #expect(result.stderr.contains("broken.yaml:3:18: error: metadata.name: name 'Bad_Name' may contain only lowercase"))
            // The misspelling is the one error about count: it is not reported again as missing.
            #expect(result.stderr.contains("broken.yaml:4:26: error: unknown field 'cuont' in Fleet spec; did you mean 'count'?"))
            #expect(!result.stderr.contains("missing required field 'spec.count'"))
            #expect(result.stderr.contains("nothing was planned or applied"))
        }
        #expect(!FileManager.default.fileExists(atPath: h.state), "nothing was planned or applied: not even a state")
    }

    @Test func aPolicyWithoutRulesAndAnEmptyWorkflowAreNamedWithTheirLocation() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        try h.write("pool.yaml", """
            apiVersion: orbrec/v1
            kind: Policy
            metadata: {name: guardrails}
            spec: {enforcement: advisory}
            ---
            apiVersion: orbrec/v1
            kind: Workflow
            metadata: {name: nightly}
            spec: {steps: []}
            """)
        let result = try h.orbrec("validate")
        #expect(result.status == 1)
        #expect(result.stderr.contains("pool.yaml:4:7: error: Policy 'guardrails' is missing required field 'spec.rules'"), "\(result.stderr)")
        #expect(result.stderr.contains("pool.yaml:9:15: error: spec.steps must hold at least one step"), "\(result.stderr)")
    }

    @Test func aUsageErrorExitsOneLikeEveryOtherError() throws {
        let h = try Harness()
        let result = try h.run(["plan", "--no-such-flag"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Unknown option '--no-such-flag'"))
        #expect(try h.run(["--help"]).status == 0)
    }
}
