internal import Foundation
internal import HTTPTypes
internal import OrbrecCore

/// The body of `POST /api/v1/pools/{pool}/requeue`: `{"keys": [...]}` or
/// `{"all_dead_letter": true}`, nothing else.
struct RequeueInput: Equatable {
    var keys: [String]
    var allDeadLetter: Bool

    static func parse(_ body: Data) throws(APIError) -> RequeueInput {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw APIError(.badRequest, .badRequest, "the body must be a JSON object: {\"keys\": [...]} or {\"all_dead_letter\": true}")
        }
        if let unknown = object.keys.sorted().first(where: { $0 != "keys" && $0 != "all_dead_letter" }) {
            throw APIError(.badRequest, .unknownField, "unknown field \(unknown.prefix(64)); the fields are keys and all_dead_letter")
        }
        struct Fields: Decodable {
            var keys: [String]?
            var allDeadLetter: Bool?

            enum CodingKeys: String, CodingKey {
                case keys
                case allDeadLetter = "all_dead_letter"
            }
        }
        guard let fields = try? JSONDecoder().decode(Fields.self, from: body) else {
            throw APIError(.badRequest, .badRequest, "keys must be an array of task keys, all_dead_letter true or false")
        }
        let input = RequeueInput(keys: fields.keys ?? [], allDeadLetter: fields.allDeadLetter ?? false)
        guard !input.keys.isEmpty || input.allDeadLetter else {
            throw APIError(.badRequest, .badRequest, "name task keys or set all_dead_letter: true")
        }
        return input
    }
}
