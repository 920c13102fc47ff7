internal import OrbrecAPI
internal import OrbrecLeases

/// A pull-mode task as the lease API answers: the attempt, what it holds, and what to do next.
/// Field names are the contract (`leaseExpiresAt`, `next_actions`).
struct LeaseAnswer: Encodable, Sendable {
    typealias Action = NextActionDocument

    var task: LeaseTaskView
    var nextActions: [Action]

    enum CodingKeys: String, CodingKey {
        case task
        case nextActions = "next_actions"
    }

    static func pathSegment(_ text: String) -> String { NextActionDocument.pathSegment(text) }

    static func pathID(pool: String, key: String) -> String { NextActionDocument.pathID(pool: pool, key: key) }
}
