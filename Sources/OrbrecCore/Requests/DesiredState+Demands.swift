extension DesiredState {
    /// The desired state with what commands asked for: each open demand is a fleet of its own,
    /// named for its request, and `returning` holds the machines return requests name.
    ///
    /// A demand whose template is not in the configuration any more still becomes a fleet:
    /// the planner reports it as a fleet without a template and leaves its machines alone,
    /// rather than returning machines someone asked for because a file changed.
    public func applying(demands: [MachineDemand], returning: Set<String>) -> DesiredState {
        var state = self
        for demand in demands where state.fleets[demand.id] == nil { state.fleets[demand.id] = demand.fleet }
        state.returning.formUnion(returning)
        return state
    }

    /// Whether a fleet was made from a machine request rather than written in a file.
    public func isRequestFleet(_ name: String) -> Bool {
        fleets[name]?.metadata.annotations[MachineDemand.requestAnnotation] != nil
    }
}
