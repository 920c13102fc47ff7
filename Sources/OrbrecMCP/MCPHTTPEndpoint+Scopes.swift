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

    /// The answer to a `tools/list` without the tools `scopes` do not open (a read token's
    /// client is not offered `return_machines`), or nil when `request` lists no tools or the
    /// answer is not JSON (left as the transport gave it).
    static func toolsListed(_ response: Data, for request: Data, scopes: Set<AccessScope>) -> Data? {
        guard let message = try? JSONDecoder().decode(Value.self, from: request) else { return nil }
        let listing = Set((message.arrayValue ?? [message]).compactMap { item -> Value? in
            guard let object = item.objectValue, object["method"]?.stringValue == "tools/list" else { return nil }
            return object["id"]
        })
        guard !listing.isEmpty, let answer = try? JSONDecoder().decode(Value.self, from: response) else { return nil }
        func filtered(_ item: Value) -> Value {
            guard var object = item.objectValue, let id = object["id"], listing.contains(id),
                  var result = object["result"]?.objectValue, let tools = result["tools"]?.arrayValue else { return item }
            result["tools"] = .array(tools.filter { tool in
                guard let name = tool.objectValue?["name"]?.stringValue else { return false }
                return ToolScopes.table[name]?.isMet(by: scopes) == true
            })
            object["result"] = .object(result)
            return .object(object)
        }
        let rewritten: Value = answer.arrayValue.map { .array($0.map(filtered)) } ?? filtered(answer)
        return try? APIJSON.encoder().encode(rewritten)
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
