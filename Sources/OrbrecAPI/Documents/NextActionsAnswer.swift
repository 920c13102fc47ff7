/// A document with what to do next beside its own fields: `{…the document…, "next_actions": [...]}`,
/// as the lease API answers. The actions are HTTP calls over REST and tool calls over MCP.
public struct NextActionsAnswer<Document: Encodable & Sendable, Action: Encodable & Sendable>: Encodable, Sendable {
    public var document: Document
    public var nextActions: [Action]

    public init(_ document: Document, nextActions: [Action]) {
        self.document = document
        self.nextActions = nextActions
    }

    enum CodingKeys: String, CodingKey {
        case nextActions = "next_actions"
    }

    public func encode(to encoder: any Encoder) throws {
        try document.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(nextActions, forKey: .nextActions)
    }
}
