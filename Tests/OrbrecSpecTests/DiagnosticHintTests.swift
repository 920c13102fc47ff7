import Foundation
import OrbrecCore
import OrbrecSpec
import Testing

/// Misplaced and misspelt fields get one error with where they belong; duplicate keys are
/// reported at the repeated key; syntax errors carry their source line.
@Suite struct DiagnosticHintTests {
    func diagnostics(_ text: String, file: String = "orbrec.yaml") throws -> [Diagnostic] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-hints-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try text.write(toFile: directory + "/" + file, atomically: true, encoding: .utf8)
        do {
            _ = try ConfigLoader().load(directory, displayPath: "")
        } catch {
            return error.diagnostics
        }
        Issue.record("the configuration loaded")
        return []
    }

    static let base = """
        apiVersion: orbrec/v1
        kind: Provider
        metadata: {name: here}
        spec: {type: local}
        ---
        apiVersion: orbrec/v1
        kind: Template
        metadata: {name: worker}
        spec: {provider: here, command: [sleep, "30"]}
        ---

        """

    @Test func aMisspeltFieldIsOneErrorNotAlsoAMissingOne() throws {
        let found = try diagnostics(Self.base + "apiVersion: orbrec/v1\nkind: Fleet\nmetadata: {name: w}\nspec: {template: worker, cuont: 2}\n")
        #expect(found.map(\.rendered) == ["orbrec.yaml:14:26: error: unknown field 'cuont' in Fleet spec; did you mean 'count'?"])
    }

    @Test func aFieldIndentedTooLittleIsToldToGoUnderItsMapping() throws {
        let found = try diagnostics(Self.base + "apiVersion: orbrec/v1\nkind: Fleet\nmetadata: {name: w}\nspec:\n  template: worker\ncount: 2\n")
        #expect(found.map(\.rendered) == ["orbrec.yaml:16:1: error: unknown field 'count' in the document; did you mean to indent 'count' under spec?"])
    }

    @Test func aFieldIndentedTooMuchIsToldToGoUpALevel() throws {
        let found = try diagnostics(Self.base + "apiVersion: orbrec/v1\nkind: Fleet\nmetadata:\n  name: w\n  spec: {template: worker, count: 1}\n")
        #expect(found.map(\.rendered) == ["orbrec.yaml:15:3: error: unknown field 'spec' in metadata; did you mean to unindent 'spec' to the top of the document?"])
    }

    @Test func aNestedFieldWrittenBesideItsMappingIsToldToGoUnderIt() throws {
        let found = try diagnostics(Self.base + """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: w}
            spec:
              template: worker
              count: 1
              maxSurge: 2

            """)
        #expect(found.map(\.rendered) == ["orbrec.yaml:17:3: error: unknown field 'maxSurge' in Fleet spec; did you mean to indent 'maxSurge' under updateStrategy?"])
    }

    @Test func everyDuplicateKeyIsReportedAtTheRepeatedKeyWithItsLine() throws {
        let found = try diagnostics("""
            apiVersion: orbrec/v1
            kind: Provider
            metadata: {name: here, name: there}
            spec:
              type: local
              "type": aws

            """)
        #expect(found.map(\.rendered) == [
            "orbrec.yaml:3:24: error: duplicate key 'name' in a mapping; first written at line 3, column 12",
            "orbrec.yaml:6:3: error: duplicate key 'type' in a mapping; first written at line 5, column 3",
        ])
        #expect(found[1].excerpt?.rendered == [" 6 |   \"type\": aws", "   |   ^"])
    }

    @Test func anUnclosedQuoteIsReportedWhereItOpensWithTheLineAndACaret() throws {
        let found = try diagnostics("apiVersion: orbrec/v1\nkind: Provider\nmetadata: {name: here}\nspec:\n  type: \"local\n")
        let diagnostic = try #require(found.first)
        #expect(found.count == 1)
        #expect(diagnostic.rendered.hasPrefix("orbrec.yaml:5:9: error: YAML syntax error: this quoted string is never closed; add the closing quote ("))
        #expect(diagnostic.renderedWithExcerpt.split(separator: "\n").map(String.init) == [
            diagnostic.rendered, " 5 |   type: \"local", "   |         ^",
        ])
    }

    @Test func aTabInTheIndentationGetsItsOwnHint() throws {
        let found = try diagnostics("apiVersion: orbrec/v1\nkind: Provider\nmetadata: {name: here}\nspec:\n\ttype: local\n")
        #expect(found.first?.message.contains("YAML does not allow tabs for indentation; indent with spaces") == true, "\(found)")
        #expect(found.first?.excerpt?.rendered.last == "   | ^")
    }

    @Test func aLongLineIsShownAroundTheColumn() {
        let excerpt = SourceExcerpt(line: 1, text: String(repeating: "a", count: 500) + "!" + String(repeating: "b", count: 500), column: 501)
        #expect(excerpt.text.unicodeScalars.count == SourceExcerpt.maxWidth)
        #expect(Array(excerpt.text.unicodeScalars)[excerpt.column - 1] == "!")
    }
}
