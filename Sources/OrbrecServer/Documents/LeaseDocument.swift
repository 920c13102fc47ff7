internal import Foundation
internal import OrbrecCore
internal import OrbrecStore
internal import OrbrecLeases

/// A pull-mode task as the lease API answers: the attempt, what it holds, and what to do next.
/// Field names are the contract (`leaseExpiresAt`, `next_actions`).
struct LeaseAnswer: Encodable, Sendable {
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
            before = next.before.map(LeaseTaskView.iso)
            reason = next.reason
        }
    }

    var task: LeaseTaskView
    var nextActions: [Action]

    enum CodingKeys: String, CodingKey {
        case task
        case nextActions = "next_actions"
    }

    /// One path segment, with what a path cannot carry percent-encoded.
    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~=,:")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// `pool:key`, with what a path cannot carry percent-encoded.
    static func pathID(pool: String, key: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~=,:")
        return "\(pool):\(key)".addingPercentEncoding(withAllowedCharacters: allowed) ?? "\(pool):\(key)"
    }
}
