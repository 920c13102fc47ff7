/// What the adapters report, plus what the journal remembers, at one moment.
public struct ObservedState: Sendable, Codable, Hashable {
    /// Machines the providers hold for this state (found by its ownership tags).
    public var machines: [ObservedMachine]
    /// Providers that could not be asked, with the reason. Their fleets are left alone.
    public var unreachableProviders: [String: String]
    /// Attempts the schedulers run or have finished for this state.
    public var attempts: [ObservedAttempt]
    /// Schedulers that could not be asked, with the reason. Their pools are left alone.
    public var unreachableSchedulers: [String: String]

    public init(machines: [ObservedMachine] = [], unreachableProviders: [String: String] = [:],
                attempts: [ObservedAttempt] = [], unreachableSchedulers: [String: String] = [:]) {
        self.machines = machines
        self.unreachableProviders = unreachableProviders
        self.attempts = attempts
        self.unreachableSchedulers = unreachableSchedulers
    }
}
