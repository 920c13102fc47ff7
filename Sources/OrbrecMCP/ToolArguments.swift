internal import Foundation
internal import MCP
internal import OrbrecEngine
internal import OrbrecAPI

/// A tool call's arguments, read with the checks the tool's input schema states. A wrong or
/// missing argument is an `invalid-arguments` failure naming it, so the caller can fix the call.
struct ToolArguments: Sendable {
    let tool: String
    let values: [String: Value]

    init(tool: String, values: [String: Value]?, allowed: Set<String>) throws(ToolFailure) {
        self.tool = tool
        self.values = (values ?? [:]).filter { !$0.value.isNull }
        let unknown = self.values.keys.filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            let known = allowed.isEmpty ? "it takes no arguments" : "it takes \(allowed.sorted().joined(separator: ", "))"
            throw .invalidArguments("\(tool) has no argument \(unknown.joined(separator: ", ")); \(known)")
        }
    }

    func string(_ name: String) throws(ToolFailure) -> String {
        guard let text = try optionalString(name) else { throw .invalidArguments("\(tool) needs \(name) (a string)") }
        return text
    }

    func optionalString(_ name: String, maxLength: Int = 2000) throws(ToolFailure) -> String? {
        guard let value = values[name] else { return nil }
        guard case .string(let text) = value, !text.isEmpty, text.count <= maxLength else {
            throw .invalidArguments("\(name) must be a non-empty string (at most \(maxLength) characters)")
        }
        return text
    }

    func optionalStrings(_ name: String) throws(ToolFailure) -> [String]? {
        guard let value = values[name] else { return nil }
        guard case .array(let items) = value else { throw .invalidArguments("\(name) must be an array of strings") }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item, !text.isEmpty else { throw .invalidArguments("\(name) must be an array of non-empty strings") }
            strings.append(text)
        }
        return strings
    }

    func optionalInteger(_ name: String, in range: ClosedRange<Int64>) throws(ToolFailure) -> Int64? {
        guard let value = values[name] else { return nil }
        let integer: Int64? = switch value {
        case .int(let number): Int64(number)
        case .double(let number) where number == number.rounded() && abs(number) < 9e15: Int64(number)
        default: nil
        }
        guard let integer, range.contains(integer) else {
            throw .invalidArguments("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    func flag(_ name: String) throws(ToolFailure) -> Bool {
        guard let value = values[name] else { return false }
        guard case .bool(let flag) = value else { throw .invalidArguments("\(name) must be true or false") }
        return flag
    }

    /// Any JSON value, as compact JSON text (a worker's result), at most `limit` bytes.
    func optionalJSON(_ name: String, limit: Int) throws(ToolFailure) -> String? {
        guard let value = values[name] else { return nil }
        guard let data = try? APIJSON.data(value) else { throw .invalidArguments("\(name) must be JSON") }
        guard data.count <= limit else { throw .invalidArguments("\(name) is over \(limit / 1024) KiB") }
        return String(decoding: data, as: UTF8.self)
    }
}
