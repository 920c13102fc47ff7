public import OrbrecStore
internal import OrbrecCore

/// A journal event as the event stream sends it (the `data:` of one SSE message).
public struct EventDocument: Encodable, Sendable {
    public var seq: Int64
    public var at: Int64
    public var resource: String
    public var subject: String
    public var from: String?
    public var to: String
    public var cause: String

    public init(_ record: EventRecord) {
        seq = record.seq ?? 0
        at = record.at.millisecondsSinceEpoch
        resource = record.resource
        subject = record.subject
        from = record.fromState
        to = record.toState
        cause = record.cause
    }

    /// The SSE event name: what kind of thing changed (`action`, `machine`, `request`, `task`, `configuration`).
    public var kind: String {
        subject.split(separator: "/", maxSplits: 1).first.map(String.init) ?? "event"
    }
}
