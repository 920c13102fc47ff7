public import OrbrecCore

/// A planned action with the identifier it is journaled under.
public struct ScheduledAction: Sendable, Codable, Hashable {
    public var id: String
    public var action: PlannedAction

    public init(id: String, action: PlannedAction) {
        self.id = id
        self.action = action
    }
}
