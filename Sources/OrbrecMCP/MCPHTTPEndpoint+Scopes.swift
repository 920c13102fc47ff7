internal import Foundation
internal import MCP
internal import OrbrecCore
internal import OrbrecAPI

extension MCPHTTPEndpoint {
    typealias Answer = (status: Int, headers: [String: String], body: Data)

    /// The answer to a `tools/call` whose tool needs a scope the caller's token lacks, or nil
    /// to let the request through. Decided on this request's own body before the MCP server
    /// sees it: the stateless transport keys what it knows of a request by its JSON-RPC id,
    /// which two clients may share.
    static func refusal(_ body: Data, scopes: Set<AccessScope>) -> Answer? {
        // What does not parse is left to the transport, which answers the protocol error.
        guard let message = try? JSONDecoder().decode(Value.self, from: body) else { return nil }
        let messages = message.arrayValue ?? [message]
        for item in messages {
            guard let object = item.objectValue, object["method"]?.stringValue == "tools/call",
                  let tool = object["params"]?.objectValue?["name"]?.stringValue,
                  ToolCatalog.arguments(of: tool) != nil else { continue }
            let requirement = ToolScopes.table[tool]
            if requirement?.isMet(by: scopes) == true { continue }
            let failure = requirement.map {
                ErrorDocument(.missingScope, "this token lacks the \($0.scope.rawValue) scope, which the tool \(tool) needs",
                              scope: $0.scope.rawValue)
            } ?? ErrorDocument(.unscopedTool, "the tool \(tool) has no scope (ToolScopes.table), so no token may call it over HTTP")
            return answer(failure, to: object["id"], batch: messages.count > 1)
        }
        return nil
    }

    /// The tool failure's body: `{"error": {"code", "message", "scope"}}`, as the HTTP API's 403.
    private static func answer(_ refused: ErrorDocument, to id: Value?, batch: Bool) -> Answer {
        let encoder = APIJSON.encoder()
        let data = (try? encoder.encode(refused)) ?? Data()
        let json = ["Content-Type": "application/json"]
        // A batch is refused whole, as the API refuses a request; a notification gets no answer.
        if batch { return (403, json, data) }
        let requestID: ID
        switch id {
        case .string(let text)?: requestID = .string(text)
        case .int(let number)?: requestID = .number(number)
        default: return (202, [:], Data())
        }
        let structured = try? JSONDecoder().decode(Value.self, from: data)
        let result = CallTool.Result(content: [.text(text: String(decoding: data, as: UTF8.self), annotations: nil, _meta: nil)],
                                     structuredContent: structured, isError: true)
        let response = (try? encoder.encode(CallTool.response(id: requestID, result: result))) ?? data
        return (200, json, response)
    }
}
