/// Tables that cannot make a state (no state id, or rows that do not fit their columns).
public struct StateCopyInvalid: Error, Sendable, CustomStringConvertible {
    public var reason: String

    package init(reason: String) { self.reason = reason }

    public var description: String { "cannot copy the state: \(reason); nothing was written" }
}

/// A copy refused before anything was written: the target already holds a state, or a
/// backup's file already exists.
public struct StateCopyRefused: Error, Sendable, CustomStringConvertible {
    /// The target, as messages show it (never a password).
    public var target: String
    public var reason: String

    package init(target: String, reason: String) {
        self.target = target
        self.reason = reason
    }

    /// A target that holds more than its own state id.
    package init(target: String, stateID: String, occupied: [String]) {
        self.init(target: target, reason: "already holds a state (\(stateID), with rows in \(occupied.joined(separator: ", "))), "
            + "and a state is copied only into an empty one (a new file, or an unused schema)")
    }

    public var description: String { "the target \(target) \(reason): nothing was written" }
}
