internal import Foundation
public import OrbrecCore
internal import OrbrecLeases

/// One HTTP call the caller may make next, as REST answers carry them in `next_actions` (the
/// lease API, tasks, machine requests, workflow runs). MCP names tools instead.
public struct NextActionDocument: Encodable, Sendable {
    public var action: String
    public var method: String
    public var path: String
    public var recommended: Bool
    public var retryAfterSeconds: Int64
    public var before: String?
    public var reason: String

    public init(_ next: NextAction) {
        action = next.action
        method = next.method
        path = next.path
        recommended = next.recommended
        retryAfterSeconds = next.retryAfterSeconds
        before = next.before.map(LeaseTaskView.iso)
        reason = next.reason
    }

    /// One path segment, with what a path cannot carry percent-encoded.
    public static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~=,:")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// `pool:key`, with what a path cannot carry percent-encoded.
    public static func pathID(pool: String, key: String) -> String {
        pathSegment("\(pool):\(key)")
    }
}
