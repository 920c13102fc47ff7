/// A difference between what the journal recorded and what the adapters report.
public struct DriftItem: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Recorded as held, but the provider no longer has it.
        case lost
        /// Held by the provider with this state's tags, but not in the journal.
        case unrecorded
        /// Held but unhealthy.
        case unhealthy
    }

    public var kind: Kind
    public var resource: ResourceID
    public var machine: String
    public var message: String

    public init(kind: Kind, resource: ResourceID, machine: String, message: String) {
        self.kind = kind
        self.resource = resource
        self.machine = machine
        self.message = message
    }
}
