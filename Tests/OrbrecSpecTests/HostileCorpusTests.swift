import Foundation
import OrbrecCore
@testable import OrbrecSpec
import Testing

/// The committed cases of HostileCorpus/ through the loader itself (EndToEndTests'
/// HostileConfigurationTests runs every case, the run-time ones too, through the binary with
/// time and memory ceilings), and the loader's limits one by one.
@Suite struct HostileCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("HostileCorpus").path

    /// Cases whose files are all committed (the others are made at run time by the end-to-end test).
    static var committedCases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []).filter { name in
            !name.hasPrefix(".") && ((try? FileManager.default.contentsOfDirectory(atPath: "\(corpus)/\(name)")) ?? []).contains { $0 != "expected.txt" }
        }.sorted()
    }

    @Test func theCorpusHoldsCommittedCases() {
        #expect(Self.committedCases.count >= 9)
    }

    @Test(arguments: committedCases)
    func committedCaseReportsItsExpectedDiagnosticsAtOnce(_ name: String) throws {
        let started = ContinuousClock.now
        let error = try #require(throws: ConfigurationError.self) { try ConfigLoader().load("\(Self.corpus)/\(name)", displayPath: "") }
        #expect(ContinuousClock.now - started < .seconds(1), "\(name) took \(ContinuousClock.now - started)")
        #expect(error.diagnostics.allSatisfy { $0.location != nil }, "every diagnostic carries file:line:col")
        let rendered = error.diagnostics.map(\.rendered).joined(separator: "\n") + "\n"
        let expected = try String(contentsOfFile: "\(Self.corpus)/\(name)/expected.txt", encoding: .utf8)
        #expect(rendered == expected, "diagnostics of \(name) differ from expected.txt:\n\(rendered)")
    }

    // MARK: The directory walk

    private func scratch() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-hostile-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "apiVersion: orbrec/v1\nkind: Provider\nmetadata: {name: here}\nspec: {type: local}\n"
            .write(toFile: directory + "/provider.yaml", atomically: true, encoding: .utf8)
        return directory
    }

    @Test func eachLinkBackUpIsOneLoopAndTheFilesAreReadOnce() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createSymbolicLink(atPath: directory + "/a", withDestinationPath: ".")
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory + "/sub/up", withDestinationPath: "..")
        let error = try #require(throws: ConfigurationError.self) { try ConfigLoader().load(directory, displayPath: "") }
        #expect(error.diagnostics.map(\.rendered) == [
            "a:1:1: error: 'a' leads back to the configuration directory itself; orbrec reads each directory once and does not follow the loop",
            "sub/up:1:1: error: 'sub/up' leads back to the configuration directory itself; orbrec reads each directory once and does not follow the loop",
        ])
    }

    @Test func aLinkInsideTheDirectoryIsFollowedAndOneOutsideIsAnError() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "apiVersion: orbrec/v1\nkind: Provider\nmetadata: {name: there}\nspec: {type: local}\n"
            .write(toFile: directory + "/.there.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/there.yaml", withDestinationPath: ".there.yaml")
        let loaded = try ConfigLoader().load(directory, displayPath: "")
        #expect(Set(loaded.desired.providers.keys) == ["here", "there"], "a link to a file inside is read")

        try FileManager.default.createDirectory(atPath: directory + "/shared", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory + "/also", withDestinationPath: "shared")
        try FileManager.default.createSymbolicLink(atPath: directory + "/etc", withDestinationPath: "/etc")
        let error = try #require(throws: ConfigurationError.self) { try ConfigLoader().load(directory, displayPath: "") }
        #expect(error.diagnostics.map(\.rendered) == [
            "also:1:1: error: 'also' is the directory 'shared' again; orbrec reads each directory once",
            "etc:1:1: error: 'etc' is a symbolic link to '/etc', outside the configuration directory; orbrec does not follow links out of it",
        ])
    }

    @Test func aFIFOIsReportedWithoutBlockingTheLoader() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(mkfifo(directory + "/queue.yaml", 0o644) == 0)
        let started = ContinuousClock.now
        let error = try #require(throws: ConfigurationError.self) { try ConfigLoader().load(directory, displayPath: "") }
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(error.diagnostics.map(\.rendered) == ["queue.yaml:1:1: error: 'queue.yaml' is a FIFO, not a regular file; orbrec reads only regular files"])
        // Named directly, too.
        let direct = try #require(throws: ConfigurationError.self) { try ConfigLoader().load(directory + "/queue.yaml", displayPath: "queue.yaml") }
        #expect(direct.diagnostics.map(\.code) == ["not-a-regular-file"])
    }

    @Test func theFirstByteThatIsNotUTF8IsLocatedByLineAndCharacter() {
        let bytes = Array("kind: Provider\nname: é".utf8) + [0xFF, 0x41]
        let diagnostic = ConfigLoader.invalidUTF8(bytes, file: "p.yaml")
        #expect(diagnostic.rendered == "p.yaml:2:8: error: the file is not UTF-8 text: byte 0xFF at line 2, column 8 cannot be decoded")
    }

    // MARK: The YAML budget

    private func prescan(_ text: String) -> [String] {
        YAMLPrescan.check(text, context: DecodeContext(file: "f.yaml", text: text)).map(\.rendered)
    }

    @Test func aliasesWithinTheBudgetPassAndTheOneThatCrossesItIsNamed() {
        #expect(prescan("a: &a [1, 2]\nb: [*a, *a]\n").isEmpty)
        var bomb = "a: &a [" + Array(repeating: "x", count: 10).joined(separator: ",") + "]\n"
        var previous = "a"
        for level in "bcdefg" {
            bomb += "\(level): &\(level) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]\n"
            previous = String(level)
        }
        // 10^6 nodes are reached in f's list, the tenth alias of which crosses the budget.
        let problems = prescan(bomb)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("f.yaml:6:") == true, "\(problems)")
        #expect(problems.first?.contains("alias '*e' expands the document to more than 1000000 nodes") == true, "\(problems)")
    }

    @Test func anchorsAreCountedPerDocument() {
        let document = "a: &a [" + Array(repeating: "x", count: 1_000).joined(separator: ",") + "]\nb: [" + Array(repeating: "*a", count: 900).joined(separator: ",") + "]\n"
        #expect(prescan(document).isEmpty)
        #expect(prescan(document + "---\n" + document).isEmpty, "each document has its own budget")
    }

    @Test func nestingPastTheLimitIsRefusedAtTheLevelThatCrossesIt() {
        let depth = YAMLPrescan.maxDepth
        #expect(prescan(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).isEmpty)
        #expect(prescan(String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1))
                == ["f.yaml:1:\(depth + 1): error: the document nests more than \(depth) levels deep; orbrec reads at most \(depth)"])
    }

    @Test func nulIsRefusedInEveryScalarAndControlCharactersInKeys() {
        #expect(prescan("a: \"x\\0y\"\n") == ["f.yaml:1:4: error: the string holds a NUL character (U+0000) at character 2; orbrec rejects NUL in every value"])
        #expect(prescan("\"k\\0\": v\n").count == 1)
        #expect(prescan("args: [\"a\", 'b', \"c\\x00\"]\n").count == 1)
        #expect(prescan("\"k\\tx\": v\n") == ["f.yaml:1:1: error: the key holds the control character U+0009 at character 2; keys may not hold control characters"])
        #expect(prescan("k: \"tab\\tand\\nnewline in a value\"\n").isEmpty, "values may hold tabs and line breaks")
    }

    // MARK: Suggestions

    @Test func theIndexSuggestsWhatAFullSearchWould() {
        let names = ["count", "template", "maxSurge", "maxUnavailable", "provider", "web-1", "web-2", "db", "workers", "spot-fleet"]
        let naive: (String) -> String? = { word in
            let scored = names.map { ($0, Suggestion.distance(word.lowercased(), $0.lowercased())) }
            guard let best = scored.min(by: { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }) else { return nil }
            return best.1 <= max(2, min(word.count, best.0.count) / 3) ? best.0 : nil
        }
        for word in ["cuont", "tempalte", "maxsurg", "maxUnavailible", "provder", "web-3", "dv", "wrokers", "spotfleet", "zzzzzz", "", "x"] {
            #expect(Suggestion.closest(to: word, among: names) == naive(word), "\(word)")
        }
        #expect(Suggestion.distance("kitten", "sitting") == 3)
        #expect(Suggestion.distance("ab", "ba") == 1)
    }

    @Test func thousandsOfUnresolvedReferencesValidateInLinearTime() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var text = ""
        for number in 0..<3_000 {
            text += "---\napiVersion: orbrec/v1\nkind: Provider\nmetadata: {name: declared-\(number)}\nspec: {type: local}\n"
            text += "---\napiVersion: orbrec/v1\nkind: Template\nmetadata: {name: t-\(number)}\nspec: {provider: missing-\(number), command: [sleep, '1']}\n"
        }
        try text.write(toFile: directory + "/many.yaml", atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let error = try #require(throws: ConfigurationError.self) { try ConfigLoader().load(directory, displayPath: "") }
        #expect(error.diagnostics.filter { $0.code == "unresolved-reference" }.count == 3_000)
        #expect(ContinuousClock.now - started < .seconds(10), "took \(ContinuousClock.now - started)")
    }
}
