public import OrbrecCore

extension StateStore {
    /// Machines not yet returned or failed: what orbrec believes it holds.
    public func activeMachines() async throws -> [MachineRecord] {
        try await backend.activeMachines()
    }

    public func machines(includeFinished: Bool = false) async throws -> [MachineRecord] {
        try await backend.machines(includeFinished: includeFinished)
    }

    public func machine(id: String) async throws -> MachineRecord? {
        try await backend.machine(id: id)
    }

    /// Which of `ids` the journal already holds, returned machines included: a new machine id
    /// must be none of them.
    public func knownMachineIDs(among ids: [String]) async throws -> Set<String> {
        try await backend.knownMachineIDs(among: ids)
    }

    /// Brings the recorded machines in line with what the providers report. Machines the
    /// providers hold but the journal does not know are adopted; recorded machines that
    /// are gone are marked lost. Providers in `unreachable` are left as they were.
    public func syncMachines(observed: [ObservedMachine], unreachableProviders: Set<String>, at now: Instant) async throws {
        try await backend.syncMachines(observed: observed, unreachableProviders: unreachableProviders, at: now)
    }
}
