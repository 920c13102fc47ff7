/// A machine as the journal last recorded it: what orbrec believes it holds.
public struct RecordedMachine: Hashable, Sendable, Codable {
    public var id: String
    public var fleet: String
    public var template: String
    public var templateHash: String
    public var provider: String
    public var state: MachineState
    public var createdAt: Instant
    /// Being created right now: journaled, but the provider has not answered yet.
    public var inFlight: Bool

    public init(id: String, fleet: String, template: String, templateHash: String, provider: String,
                state: MachineState, createdAt: Instant, inFlight: Bool = false) {
        self.inFlight = inFlight
        self.id = id
        self.fleet = fleet
        self.template = template
        self.templateHash = templateHash
        self.provider = provider
        self.state = state
        self.createdAt = createdAt
    }
}
