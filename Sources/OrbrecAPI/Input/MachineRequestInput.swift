public import Foundation
public import OrbrecCore

/// The bodies of `POST /api/v1/machines/request` and `/machines/return`, read and checked
/// before the state is looked at. Anyone with the token chooses these bytes: a wrong type, a
/// count out of range or a field the API does not take is a 400 naming it, never a 5xx. MCP's
/// `request_machines` and `return_machines` keep to the same bounds.
public enum MachineRequestInput {
    /// The most machines one request asks for: more is almost surely a mistake, and a larger
    /// standing demand belongs in a Fleet's file.
    public static let maxCount = 10_000
    /// The most machines one return request names.
    public static let maxMachines = 10_000
    /// Names are at most 63 characters; ids a little longer. Anything longer is not one.
    public static let maxNameLength = 253

    /// Why a body was refused: a code (`bad-request`, `invalid-count`, `unknown-field`) and a message.
    public struct Refusal: Error, Sendable, Equatable {
        public var code: APIErrorCode
        public var message: String

        init(_ code: APIErrorCode, _ message: String) {
            self.code = code
            self.message = message
        }
    }

    /// `{"template_id": "...", "count": N}`.
    public static func request(_ body: Data) throws(Refusal) -> (template: String, count: Int) {
        let fields = try object(body, allowed: ["template_id", "count"])
        guard let template = fields["template_id"] as? String, !template.isEmpty, template.count <= maxNameLength else {
            throw Refusal(.badRequest, "template_id must be a non-empty string (at most \(maxNameLength) characters)")
        }
        guard fields["count"] != nil else { throw Refusal(.invalidCount, "count is required: how many machines, 1 to \(maxCount)") }
        guard let count = integer("count", in: body), (1...Int64(maxCount)).contains(count) else {
            throw Refusal(.invalidCount, "count must be an integer from 1 to \(maxCount)")
        }
        return (template, Int(count))
    }

    /// `{"machine_ids": ["...", ...]}`, duplicates dropped, in the order given.
    public static func machineIDs(_ body: Data) throws(Refusal) -> [String] {
        let fields = try object(body, allowed: ["machine_ids"])
        guard let items = fields["machine_ids"] as? [Any], !items.isEmpty, items.count <= maxMachines else {
            throw Refusal(.badRequest, "machine_ids must be an array of 1 to \(maxMachines) machine ids")
        }
        var ids: [String] = []
        var seen: Set<String> = []
        for item in items {
            guard let id = item as? String, !id.isEmpty, id.count <= maxNameLength else {
                throw Refusal(.badRequest, "machine_ids must hold non-empty strings (at most \(maxNameLength) characters each)")
            }
            if seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }

    /// The body as one JSON object with no field but `allowed`.
    public static func object(_ body: Data, allowed: Set<String>) throws(Refusal) -> [String: Any] {
        guard let fields = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw Refusal(.badRequest, "the body must be a JSON object")
        }
        let unknown = fields.keys.filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            let shown = unknown.prefix(5).map { String($0.prefix(64)) }.joined(separator: ", ")
            throw Refusal(.unknownField, "no field \(shown) here; the fields are \(allowed.sorted().joined(separator: ", "))")
        }
        return fields
    }

    /// A field read by JSONDecoder, whose Int64 refuses `true`, `1.5` and `"1"` (JSONSerialization
    /// cannot tell `1` from `true` on Linux).
    static func integer(_ name: String, in body: Data) -> Int64? {
        struct Integer: Decodable {
            let value: Int64?
            init(from decoder: any Decoder) throws { value = try? decoder.singleValueContainer().decode(Int64.self) }
        }
        return (try? JSONDecoder().decode([String: Integer].self, from: body))?[name]?.value
    }
}
