/// What a provider says about one machine.
public enum MachineState: String, Sendable, Codable, CaseIterable, Comparable {
    /// Asked for, not yet up.
    case pending
    /// Up and healthy.
    case running
    /// Exists but is not healthy (a stopped process, a stopped instance).
    case unhealthy
    /// Being returned.
    case terminating
    /// Gone without orbrec returning it (the process died, the instance was terminated).
    case lost
    /// Returned by orbrec; kept only in the records.
    case returned
    /// A provisioning attempt that did not produce a machine.
    case failed

    /// Counts towards a fleet's size.
    public var isLive: Bool { self == .pending || self == .running }

    /// Still held at the provider, so it must be returned eventually.
    public var isHeld: Bool { self == .pending || self == .running || self == .unhealthy || self == .terminating }

    public var isFinal: Bool { self == .returned || self == .failed || self == .lost }

    private var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: MachineState, rhs: MachineState) -> Bool { lhs.order < rhs.order }
}
