internal import OrbrecCore
internal import OrbrecEngine

/// One action carried out, as `apply`, `machines return` and `tasks cancel` print it with
/// `-o json`: the journal's action id, what it did, and how it ended.
struct OutcomeDocument: Encodable {
    var id: String
    var verb: String
    var resource: String
    var detail: String
    var succeeded: Bool
    var message: String
    var requests: [String]

    init(_ outcome: ActionOutcome) {
        id = outcome.id
        verb = outcome.action.verb.rawValue
        resource = outcome.action.resource.description
        detail = outcome.action.detail
        succeeded = outcome.succeeded
        message = outcome.message
        requests = outcome.requests
    }
}

/// `apply`, `machines return` and `tasks cancel -o json`: the actions carried out.
struct OutcomesDocument: Encodable {
    var succeeded: Int
    var failed: Int
    var actions: [OutcomeDocument]
    /// The return request (`ret-…`) that `machines return` journaled.
    var requestId: String?

    enum CodingKeys: String, CodingKey {
        case succeeded, failed, actions
        case requestId = "request_id"
    }

    init(_ outcomes: [ActionOutcome]) {
        actions = outcomes.map(OutcomeDocument.init)
        failed = outcomes.filter { !$0.succeeded }.count
        succeeded = outcomes.count - failed
    }
}
