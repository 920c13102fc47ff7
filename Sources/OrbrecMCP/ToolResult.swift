internal import Foundation
internal import MCP
internal import OrbrecEngine
internal import OrbrecAPI

/// Tool answers as MCP results: the JSON as text (what every client shows the model) and,
/// the same object, as `structuredContent`.
enum ToolResult {
    static func success(_ value: some Encodable) throws -> CallTool.Result {
        try json(APIJSON.data(value), isError: false)
    }

    static func failure(_ failure: ToolFailure) -> CallTool.Result {
        let document = ErrorDocument(failure.code, failure.message, diagnostics: failure.diagnostics)
        let data = (try? APIJSON.data(document)) ?? Data(#"{"error":{"code":"internal","message":"unencodable failure"}}"#.utf8)
        return (try? self.json(data, isError: true))
            ?? CallTool.Result(content: [.text(text: String(decoding: data, as: UTF8.self), annotations: nil, _meta: nil)], isError: true)
    }

    private static func json(_ data: Data, isError: Bool) throws -> CallTool.Result {
        // Structured content is an object by the specification; every answer here is one.
        let decoded = try JSONDecoder().decode(Value.self, from: data)
        let structured: Value? = decoded.objectValue == nil ? nil : decoded
        return CallTool.Result(content: [.text(text: String(decoding: data, as: UTF8.self), annotations: nil, _meta: nil)],
                               structuredContent: structured, isError: isError)
    }
}
