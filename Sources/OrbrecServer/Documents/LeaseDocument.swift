internal import Foundation
internal import OrbrecCore
internal import OrbrecStore

/// A pull-mode task as the lease API answers: the attempt, what it holds, and what to do next.
/// Field names are the contract (`leaseExpiresAt`, `next_actions`).
struct LeaseAnswer: Encodable, Sendable {
    struct Task: Encodable, Sendable {
        var id: String
        var pool: String
        var key: String
        var attempt: Int
        /// `leased`, `completed`, `retrying`, `dead_letter`, `pending` (released), `cancelled`.
        var state: String
        var token: String?
        var leaseExpiresAt: String?
        var leaseSeconds: Int64?
        var worker: String?
        var machine: String?
        var item: String?
        var index: Int?
        var params: [String: String]?
        var command: [String]?
        var env: [String: String]?
        var nextTryAt: String?
        var reason: String?
    }

    struct Action: Encodable, Sendable {
        var action: String
        var method: String
        var path: String
        var recommended: Bool
        var retryAfterSeconds: Int64
        var before: String?
        var reason: String

        init(_ next: NextAction) {
            action = next.action
            method = next.method
            path = next.path
            recommended = next.recommended
            retryAfterSeconds = next.retryAfterSeconds
            before = next.before.map(LeaseAnswer.iso)
            reason = next.reason
        }
    }

    var task: Task
    var nextActions: [Action]

    enum CodingKeys: String, CodingKey {
        case task
        case nextActions = "next_actions"
    }

    static func iso(_ instant: Instant) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(instant.millisecondsSinceEpoch) / 1000))
    }

    /// `pool:key`, with what a path cannot carry percent-encoded.
    static func pathID(pool: String, key: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~=,:")
        return "\(pool):\(key)".addingPercentEncoding(withAllowedCharacters: allowed) ?? "\(pool):\(key)"
    }
}
