import Foundation
import Testing

/// An MCP client as a real one speaks to `orbrec mcp`: JSON-RPC 2.0, one message per line,
/// on the server's stdin and stdout (the stdio transport). The server's stdout goes to a
/// file (as every process of the harness), read as it grows.
final class MCPClient: @unchecked Sendable {
    /// A tool's answer: its `isError` and its JSON body (the text content, parsed).
    struct ToolAnswer {
        var isError: Bool
        var body: [String: Any]
        /// The whole `result`, for the content and structuredContent as sent.
        var result: [String: Any]

        var errorCode: String? { (body["error"] as? [String: Any])?["code"] as? String }
    }

    let process: Harness.Running
    private var nextID = 0
    private var offset = 0
    private var buffered = Data()
    /// Every line the server wrote, in order.
    private(set) var lines: [String] = []

    init(_ process: Harness.Running) {
        self.process = process
    }

    /// `initialize`, then `notifications/initialized`: the handshake every client makes.
    func initialize(protocolVersion: String = "2025-06-18") throws -> [String: Any] {
        let result = try request("initialize", ["protocolVersion": protocolVersion, "capabilities": [String: Any](),
                                                "clientInfo": ["name": "orbrec-e2e", "version": "1.0"]])
        try notify("notifications/initialized")
        return result
    }

    func notify(_ method: String, _ params: [String: Any]? = nil) throws {
        var message: [String: Any] = ["jsonrpc": "2.0", "method": method]
        if let params { message["params"] = params }
        try send(message)
    }

    /// Sends a request and waits for its response's `result`; a JSON-RPC error is recorded and thrown.
    func request(_ method: String, _ params: [String: Any] = [:], timeout: Double = 60) throws -> [String: Any] {
        let response = try exchange(method, params, timeout: timeout)
        if let error = response["error"] {
            Issue.record("\(method) answered a protocol error: \(error)")
            throw MCPClientError.protocolError("\(error)")
        }
        return response["result"] as? [String: Any] ?? [:]
    }

    /// Sends a request and waits for the whole response object (result or error).
    func exchange(_ method: String, _ params: [String: Any] = [:], timeout: Double = 60) throws -> [String: Any] {
        nextID += 1
        let id = nextID
        try send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for message in try readMessages() where message["id"] as? Int == id {
                #expect(message["jsonrpc"] as? String == "2.0")
                return message
            }
            usleep(5_000)
        }
        throw MCPClientError.timeout("no answer to \(method) within \(timeout)s; stderr: \(stderr)")
    }

    /// `tools/call`.
    func call(_ tool: String, _ arguments: [String: Any] = [:], timeout: Double = 60) throws -> ToolAnswer {
        let result = try request("tools/call", ["name": tool, "arguments": arguments], timeout: timeout)
        let content = result["content"] as? [[String: Any]] ?? []
        #expect(content.first?["type"] as? String == "text", "\(tool): \(result)")
        let text = content.first?["text"] as? String ?? ""
        let body = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        #expect(!body.isEmpty, "\(tool) answered JSON text: \(text)")
        return ToolAnswer(isError: result["isError"] as? Bool ?? false, body: body, result: result)
    }

    /// Closes the server's input (the end of the session) and waits for it to exit.
    func close(timeout: Double = 30) throws -> Harness.Result {
        process.closeInput()
        let result = try process.wait(timeout: timeout)
        _ = try readMessages()
        return result
    }

    var stderr: String { (try? String(contentsOfFile: process.errorFile, encoding: .utf8)) ?? "" }

    private func send(_ message: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: message)
        process.write(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// The complete lines written since the last read, parsed.
    private func readMessages() throws -> [[String: Any]] {
        guard let handle = FileHandle(forReadingAtPath: process.outputFile) else { return [] }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let fresh = handle.readDataToEndOfFile()
        offset += fresh.count
        buffered.append(fresh)
        var messages: [[String: Any]] = []
        while let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffered[buffered.startIndex..<newline]
            buffered = Data(buffered[buffered.index(after: newline)...])
            let text = String(decoding: line, as: UTF8.self)
            lines.append(text)
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                Issue.record("stdout carried a line that is not a JSON-RPC message: \(text)")
                continue
            }
            messages.append(object)
        }
        return messages
    }
}

enum MCPClientError: Error {
    case timeout(String)
    case protocolError(String)
}

extension Harness {
    /// `orbrec mcp` on this harness's configuration and state, initialized.
    func startMCP(_ extra: [String] = []) throws -> MCPClient {
        let client = MCPClient(try start(["mcp", "-c", config, "--state", state] + extra))
        return client
    }
}
