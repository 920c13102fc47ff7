/// The planner's answer: what to do, in order, and why.
public struct Plan: Sendable, Codable, Hashable {
    public var actions: [PlannedAction]
    public var drift: [DriftItem]
    /// Warnings that do not stop the plan (an unreachable provider, ...).
    public var warnings: [Diagnostic]
    /// The version of every resource the plan looked at.
    public var resourceVersions: [ResourceID: String]
    public var configRevision: String
    /// Resources whose spec changes without an action on machines or tasks.
    public var updates: [ResourceUpdate] = []
    /// With `--target`: the resources planned (the targets and what they depend on). Nil
    /// when the whole configuration was planned.
    public var targeted: [ResourceID]? = nil

    public init(actions: [PlannedAction] = [], drift: [DriftItem] = [], warnings: [Diagnostic] = [],
                resourceVersions: [ResourceID: String] = [:], configRevision: String = "") {
        self.actions = actions
        self.drift = drift
        self.warnings = warnings
        self.resourceVersions = resourceVersions
        self.configRevision = configRevision
    }

    public var isEmpty: Bool { actions.isEmpty }

    /// No action and no resource to update: applying would change nothing.
    public var hasNoChanges: Bool { actions.isEmpty && updates.isEmpty }

    /// Units (machines, tasks) per verb, every verb present so JSON consumers see zeros.
    public var summary: [Verb: Int] {
        var counts = Dictionary(uniqueKeysWithValues: Verb.allCases.map { ($0, 0) })
        for action in actions { counts[action.verb, default: 0] += action.units }
        return counts
    }

    /// The resources whose versions a saved plan must check before it is applied.
    public var touchedResources: Set<ResourceID> { Set(actions.map(\.resource)) }
}
