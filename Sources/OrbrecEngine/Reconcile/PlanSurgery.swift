public import OrbrecCore

/// What `--target`, `--replace` and `destroy` ask of a plan (see `PlanInput`).
public struct PlanSurgery: Sendable, Hashable {
    public var targets: Set<ResourceID>
    public var replaceMachines: Set<String>
    public var destroy: Bool

    public init(targets: Set<ResourceID> = [], replaceMachines: Set<String> = [], destroy: Bool = false) {
        self.targets = targets
        self.replaceMachines = replaceMachines
        self.destroy = destroy
    }
}
