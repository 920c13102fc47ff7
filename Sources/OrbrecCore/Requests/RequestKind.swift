/// ORB's two kinds of request: for machines, and to return machines.
public enum RequestKind: String, Sendable, Codable, CaseIterable {
    case provision
    case `return`

    /// `req-` and `ret-`, as ORB spells request ids.
    public var idPrefix: String { self == .provision ? "req-" : "ret-" }
}
