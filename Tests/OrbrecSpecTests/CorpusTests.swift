import Foundation
import OrbrecCore
import OrbrecSpec
import Testing

/// Every directory under Corpus/ is an invalid configuration with the exact diagnostics the
/// loader must print in `expected.txt`. Regenerate with ORBREC_UPDATE_GOLDEN=1 and review the diff.
@Suite struct CorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus").path

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func corpusHasAtLeastTwentyFiveCases() {
        #expect(Self.cases.count >= 25)
    }

    @Test(arguments: cases)
    func invalidConfigurationReportsExpectedDiagnostics(_ name: String) throws {
        let directory = "\(Self.corpus)/\(name)"
        let rendered: String
        do {
            _ = try ConfigLoader().load(directory, displayPath: "")
            Issue.record("\(name) loaded without errors; every corpus case must be invalid")
            return
        } catch {
            #expect(!error.diagnostics.isEmpty)
            #expect(error.diagnostics.allSatisfy { $0.location != nil }, "every diagnostic carries file:line:col")
            rendered = error.diagnostics.map(\.renderedWithExcerpt).joined(separator: "\n") + "\n"
        }
        let expectedPath = "\(directory)/expected.txt"
        if ProcessInfo.processInfo.environment["ORBREC_UPDATE_GOLDEN"] == "1" {
            try rendered.write(toFile: expectedPath, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
        #expect(rendered == expected, "diagnostics of \(name) differ from expected.txt")
    }
}
