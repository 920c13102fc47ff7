import Foundation
import Testing

/// What `orbrec validate` prints for misplaced fields, duplicate keys and YAML syntax errors,
/// through the binary.
@Suite struct DiagnosticsHintTests {
    func errorLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.contains(": error: ") }
    }

    @Test func aFieldIndentedTooLittleIsOneErrorWithAHint() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        try h.write("more.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: others}
            spec:
              template: sleeper
            count: 3
            """)
        let result = try h.orbrec("validate")
        #expect(result.status == 1)
        #expect(errorLines(result.stderr) == [
            "\(h.config)/more.yaml:6:1: error: unknown field 'count' in the document; did you mean to indent 'count' under spec?",
        ], "\(result.stderr)")
        #expect(!result.stderr.contains("missing required field"))
    }

    @Test func aSyntaxErrorShowsAPlainHintTheSourceLineAndACaret() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        try h.write("broken.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: others}
            spec:
                template: sleeper
              count: 3
            """)
        let result = try h.orbrec("validate")
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let first = try #require(lines.firstIndex { $0.contains(": error: YAML syntax error") }, "\(result.stderr)")
        #expect(lines[first].hasPrefix("\(h.config)/broken.yaml:6:3: error: YAML syntax error: this line is indented differently from the keys above it"))
        #expect(lines[first + 1] == " 6 |   count: 3")
        #expect(lines[first + 2] == "   |   ^")
        // Tools that read `file:line:col: error:` see one diagnostic and one summary.
        #expect(errorLines(result.stderr).count == 1)
    }

    @Test func aDuplicateKeyIsReportedAtTheRepeatedKey() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        try h.write("dup.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: others}
            spec:
              template: sleeper
              count: 3
              count: 4
            """)
        let result = try h.orbrec("validate")
        #expect(result.status == 1)
        #expect(errorLines(result.stderr) == [
            "\(h.config)/dup.yaml:7:3: error: duplicate key 'count' in a mapping; first written at line 6, column 3",
        ], "\(result.stderr)")
        #expect(result.stderr.contains(" 7 |   count: 4\n   |   ^"))
    }
}
