public import OrbrecCore

/// A planned action with the identifier it is journaled under.
public struct ScheduledAction: Sendable, Codable, Hashable {
    public var id: String
    public var action: PlannedAction

    public init(id: String, action: PlannedAction) {
        self.id = id
        self.action = action
    }

    /// The action under a fresh id.
    public init(_ action: PlannedAction) {
        self.init(id: Identifiers.action(), action: action)
    }
}
