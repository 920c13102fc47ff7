public import Foundation
public import OrbrecCore

/// The body of `POST /api/v1/pools/{pool}/tasks` and a listing's query, read and checked before
/// the state is looked at: a wrong type or a field the API does not take is a 400 naming it.
/// The task's own rules (`APITaskRules`) are the engine's to apply; MCP's `create_task` reads
/// its arguments to the same shapes.
public enum TaskInput {
    /// A listing's page, when `limit` is not given, and the most one page holds.
    public static let defaultLimit = 100
    public static let maxLimit = 1000

    public struct Refusal: Error, Sendable, Equatable {
        public var code: APIErrorCode
        public var message: String

        init(_ code: APIErrorCode, _ message: String) {
            self.code = code
            self.message = message
        }
    }

    /// `{"key": "...", "args": {"NAME": "value", ...}}`; `args` may be left out (no arguments).
    public static func task(_ body: Data) throws(Refusal) -> (key: String, args: [String: String]) {
        guard let fields = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw Refusal(.badRequest, "the body must be a JSON object: {\"key\": \"...\", \"args\": {...}}")
        }
        let unknown = fields.keys.filter { $0 != "key" && $0 != "args" }.sorted()
        guard unknown.isEmpty else {
            throw Refusal(.unknownField, "no field \(unknown.prefix(5).map { String($0.prefix(64)) }.joined(separator: ", ")) here; "
                              + "the fields are args, key")
        }
        guard let key = fields["key"] as? String else { throw Refusal(.invalidKey, "key is required: a string that names the task") }
        return (key, try args(fields["args"]))
    }

    /// A JSON object of strings (absent or null: none). A number or a nested value is refused
    /// rather than turned into text: what reaches the command is what was sent.
    public static func args(_ value: Any?) throws(Refusal) -> [String: String] {
        guard let value, !(value is NSNull) else { return [:] }
        guard let object = value as? [String: Any] else { throw Refusal(.invalidArgs, "args must be an object of strings") }
        var args: [String: String] = [:]
        for (name, item) in object {
            // JSONSerialization on Linux gives numbers and booleans as NSNumber, never as String.
            guard let text = item as? String else {
                throw Refusal(.invalidArgs, "args.\(String(name.prefix(64))) must be a string; args is a flat object of strings")
            }
            args[name] = text
        }
        return args
    }

    /// `?state=&limit=&after=`.
    public static func page(state: String?, limit: String?, after: String?) throws(Refusal) -> (state: TaskState?, limit: Int, after: Int64?) {
        var chosen: TaskState?
        if let state {
            guard let known = TaskState(rawValue: state) else {
                throw Refusal(.badState, "state must be one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            chosen = known
        }
        var count = defaultLimit
        if let limit {
            guard let value = Int(limit), (1...maxLimit).contains(value) else {
                throw Refusal(.badLimit, "limit must be an integer from 1 to \(maxLimit)")
            }
            count = value
        }
        var cursor: Int64?
        if let after {
            guard let value = Int64(after), value >= 0 else { throw Refusal(.badCursor, "after must be a page's next cursor") }
            cursor = value
        }
        return (chosen, count, cursor)
    }
}
