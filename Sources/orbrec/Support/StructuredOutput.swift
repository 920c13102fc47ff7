internal import Foundation
internal import Yams

/// The documents `-o json` and `-o yaml` print: the same fields, sorted keys.
enum StructuredOutput {
    static func string<T: Encodable>(_ value: T, as format: OutputFormat) throws -> String {
        switch format {
        case .yaml:
            let encoder = YAMLEncoder()
            encoder.options.sortKeys = true
            let text = try encoder.encode(value)
            return text.hasSuffix("\n") ? String(text.dropLast()) : text
        case .json, .table, .wide:
            return try JSONOutput.string(value)
        }
    }
}

extension Terminal {
    /// Prints `value` as the document `format` asks for (JSON or YAML) on stdout, even when
    /// the lines for people go to stderr (`divertOutput`).
    func document<T: Encodable>(_ value: T, as format: OutputFormat) throws {
        let text = try StructuredOutput.string(value, as: format)
        try? FileHandle.standardOutput.write(contentsOf: Data((Self.displayable(text) + "\n").utf8))
    }
}
