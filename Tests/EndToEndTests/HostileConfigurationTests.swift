import Foundation
import Testing

/// Every case of the hostile-configuration corpus (Tests/OrbrecSpecTests/HostileCorpus) through
/// the built binary: `orbrec validate` must exit 1 with exactly the diagnostics of the case's
/// `expected.txt`, within the case's wall-time and peak-memory ceiling (the child's own
/// ru_maxrss). Regenerate the golden files with ORBREC_UPDATE_GOLDEN=1 and review the diff.
@Suite struct HostileConfigurationTests {
    static var cases: [String] { HostileCorpus.cases }

    @Test func theCorpusCoversEveryKindOfHostileInput() {
        for kind in ["alias-bomb", "symlink-loop", "nul", "huge-name", "deep-nesting", "twenty-thousand-documents",
                     "fifo", "device-file", "not-utf8", "link-outside", "oversized-file"] {
            #expect(Self.cases.contains { $0.contains(kind) }, "no case for \(kind)")
        }
    }

    @Test(arguments: cases)
    func validateRejectsTheCaseQuicklyWithItsLocatedDiagnostics(_ name: String) throws {
        let h = try Harness()
        let replacements = try HostileCorpus.prepare(name, in: h.config)
        let ceiling = HostileCorpus.ceiling(name)
        let started = Date()
        let (result, peakKilobytes) = try h.start(["validate", "-c", h.config]).waitMeasured(timeout: 60)
        let seconds = Date().timeIntervalSince(started)
        #expect(result.status == 1, "\(name): exit \(result.status)\n\(result.stderr.prefix(2000))")
        #expect(seconds < ceiling.seconds, "\(name) took \(seconds)s; its ceiling is \(ceiling.seconds)s")
        #expect(peakKilobytes < ceiling.megabytes * 1024, "\(name) peaked at \(peakKilobytes / 1024) MB; its ceiling is \(ceiling.megabytes) MB")
        #expect(result.stderr.contains("nothing was planned or applied"), "\(result.stderr.prefix(2000))")

        var rendered = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.contains(": error: ") || $0.contains(": warning: ") }
            .map { $0.replacingOccurrences(of: h.config + "/", with: "") }
            .joined(separator: "\n") + "\n"
        for (text, placeholder) in replacements { rendered = rendered.replacingOccurrences(of: text, with: placeholder) }
        let expectedPath = "\(HostileCorpus.root)/\(name)/expected.txt"
        if ProcessInfo.processInfo.environment["ORBREC_UPDATE_GOLDEN"] == "1" {
            try rendered.write(toFile: expectedPath, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
        #expect(rendered == expected, "diagnostics of \(name) differ from expected.txt:\n\(rendered.prefix(3000))")
    }
}

/// The hostile corpus: the committed files of each case, and what git cannot hold or should not
/// (links, a FIFO, a device, files of megabytes) made at run time.
enum HostileCorpus {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("OrbrecSpecTests/HostileCorpus").path

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Wall time and peak RSS a case may take in the debug build the suite runs.
    struct Ceiling {
        var seconds: Double
        var megabytes: Int
    }

    static func ceiling(_ name: String) -> Ceiling {
        // 20,000 documents are really decoded (about 2.5 s and 100 MB in a debug build);
        // every other case is refused before any tree is built.
        name.contains("twenty-thousand-documents") ? Ceiling(seconds: 10, megabytes: 300) : Ceiling(seconds: 2, megabytes: 200)
    }

    /// Copies case `name` into `directory` and makes its run-time parts; returns the texts too
    /// large for a golden file, with the placeholder that stands for them there.
    static func prepare(_ name: String, in directory: String) throws -> [(String, String)] {
        let manager = FileManager.default
        for entry in try manager.contentsOfDirectory(atPath: "\(root)/\(name)") where entry != "expected.txt" {
            try manager.copyItem(atPath: "\(root)/\(name)/\(entry)", toPath: "\(directory)/\(entry)")
        }
        func link(_ path: String, to target: String) throws {
            try manager.createSymbolicLink(atPath: "\(directory)/\(path)", withDestinationPath: target)
        }
        func write(_ path: String, _ text: String) throws {
            try text.write(toFile: "\(directory)/\(path)", atomically: false, encoding: .utf8)
        }
        switch name {
        case let name where name.hasSuffix("symlink-loops"):
            try link("a", to: ".")
            try link("b", to: ".")
        case let name where name.hasSuffix("symlink-loop-below"):
            try manager.createDirectory(atPath: "\(directory)/fleets/team", withIntermediateDirectories: true)
            try link("fleets/team/up", to: "../..")
        case let name where name.hasSuffix("link-outside"):
            try link("etc", to: "/etc")
            try link("secrets.yaml", to: "/etc/passwd")
        case let name where name.hasSuffix("fifo"):
            guard mkfifo("\(directory)/queue.yaml", 0o644) == 0 else { throw POSIXError(.EPERM) }
        case let name where name.hasSuffix("device-file"):
            // /dev/null's numbers (1, 3); the test runs as root, as the suite does everywhere.
            guard mknod("\(directory)/null.yaml", S_IFCHR | 0o644, dev_t((1 << 8) | 3)) == 0 else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
            }
        case let name where name.hasSuffix("deep-nesting"):
            // 10,000 levels, in flow style (libyaml's own limit stops it) and in block style (ours does).
            let depth = 10_000
            try write("flow.yaml", "apiVersion: orbrec/v1\nkind: Provider\nmetadata: {name: here}\nspec:\n  type: local\n  extra: "
                      + String(repeating: "[", count: depth) + "x" + String(repeating: "]", count: depth) + "\n")
            try write("block.yaml", "apiVersion: orbrec/v1\nkind: Provider\nmetadata: {name: there}\nspec:\n  type: local\n  extra:\n    "
                      + String(repeating: "- ", count: depth) + "x\n")
        case let name where name.hasSuffix("huge-name"):
            let huge = String(repeating: "x", count: 100_000)
            try write("provider.yaml", "apiVersion: orbrec/v1\nkind: Provider\nmetadata: {name: \(huge)}\nspec: {type: local}\n")
            return [(huge, "{100,000 x}")]
        case let name where name.hasSuffix("twenty-thousand-documents"):
            for file in 0..<20 {
                var text = ""
                for document in 0..<1_000 {
                    let number = file * 1_000 + document
                    // The very last document has one typo, so the case has one located error.
                    let type = number == 19_999 ? "tyep" : "type"
                    text += "---\napiVersion: orbrec/v1\nkind: Provider\nmetadata: {name: local-\(number)}\nspec: {\(type): local}\n"
                }
                try write(String(format: "providers-%02d.yaml", file), text)
            }
        case let name where name.hasSuffix("oversized-file"):
            // Sparse: 40 MiB of nothing, made at once.
            let path = "\(directory)/huge.yaml"
            guard manager.createFile(atPath: path, contents: Data("kind: Provider\n".utf8)),
                  truncate(path, 40 << 20) == 0 else { throw POSIXError(.EIO) }
        default:
            break
        }
        return []
    }
}

extension Harness.Running {
    /// Waits like `wait(timeout:)`, and also gives the child's peak resident memory in kB.
    func waitMeasured(timeout: Double) throws -> (Harness.Result, Int) {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, WNOHANG, &usage) != pid {
            if Date() >= deadline {
                kill(pid, SIGKILL)
                Issue.record("orbrec did not finish within \(timeout)s")
                _ = wait4(pid, &status, 0, &usage)
                break
            }
            usleep(2_000)
        }
        closeInput()
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        let out = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
        return (Harness.Result(status: code, stdout: out, stderr: err), Int(usage.ru_maxrss))
    }
}
