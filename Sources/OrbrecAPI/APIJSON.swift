public import Foundation

/// How every document of orbrec's API is written as JSON, whichever way it leaves: REST answers,
/// Server-Sent Events, MCP tool results, and the CLI's `-o json`, `--json` and `events --json`.
/// Keys are sorted, so answers are stable and diffable, and `/` is left as it is. The CLI, which
/// prints for people, indents; that is the only difference.
public enum APIJSON {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func data<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data {
        try encoder(pretty: pretty).encode(value)
    }

    public static func string<T: Encodable>(_ value: T, pretty: Bool = false) throws -> String {
        String(decoding: try data(value, pretty: pretty), as: UTF8.self)
    }
}
