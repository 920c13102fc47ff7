internal import Foundation
internal import OrbrecCore
internal import OrbrecSpec

/// One configuration file per input, in a directory of its own: the loader reads it from disk
/// as `orbrec validate` and the daemon do, so listing, reading, UTF-8 and size checks are
/// fuzzed too. Input that starts (after blanks) with `{` or `[` is named `.json`, anything else
/// `.yaml`, so seeds of either kind keep their meaning.
enum ConfigTarget {
    static let directory: String = {
        let template = NSTemporaryDirectory() + "/orbrec-fuzz-config.XXXXXX"
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else { fatalError("mkdtemp failed for \(template)") }
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    static func run(_ input: UnsafeRawBufferPointer) {
        let first = input.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        let name = first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? "config.json" : "config.yaml"
        let other = name == "config.json" ? "config.yaml" : "config.json"
        unlink(directory + "/" + other)
        guard FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(input)) else {
            fatalError("cannot write the input into \(directory)")
        }
        do {
            let loaded = try ConfigLoader().load(directory, displayPath: "")
            check(loaded.warnings, failed: false)
        } catch {
            check(error.diagnostics, failed: true)
        }
    }

    /// The loader's contract beyond not crashing: a refusal says why, and says where.
    static func check(_ diagnostics: [Diagnostic], failed: Bool) {
        if failed && !diagnostics.contains(where: { $0.severity == .error }) {
            fatalError("load failed without an error diagnostic: \(diagnostics)")
        }
        for diagnostic in diagnostics {
            guard let location = diagnostic.location else {
                fatalError("diagnostic without a location: \(diagnostic.code): \(diagnostic.message)")
            }
            if location.line < 1 || location.column < 1 {
                fatalError("diagnostic at \(location): lines and columns count from 1 (\(diagnostic.code))")
            }
            _ = diagnostic.rendered
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    ConfigTarget.run(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}

/// Runs every seed once before fuzzing starts, so that the loader's lazy globals (each kind's
/// field tables, the decoders' lists) are made before any input: libFuzzer then does not
/// take an input that first touched one for a leaking one and re-run it under LeakSanitizer
/// (whose reports of those globals Fuzz/lsan.supp suppresses).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzConfigInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    for kind in ConfigurationSchema.kinds {
        _ = ConfigurationSchema.documentFields(of: kind)
        _ = ConfigurationSchema.specFields(of: kind)
    }
    guard let argc, let argv, let arguments = argv.pointee else { return 0 }
    for index in 1..<Int(argc.pointee) {
        guard let argument = arguments[index].map({ String(cString: $0) }), !argument.hasPrefix("-") else { continue }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
        for file in files.sorted().prefix(500) {
            guard let data = FileManager.default.contents(atPath: argument + "/" + file), data.count <= 1 << 16 else { continue }
            data.withUnsafeBytes { ConfigTarget.run($0) }
        }
    }
    return 0
}
