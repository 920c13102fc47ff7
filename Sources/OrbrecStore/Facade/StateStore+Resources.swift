public import OrbrecCore
internal import Foundation

extension StateStore {
    public func resources() async throws -> [ResourceRecord] {
        try await backend.resources()
    }

    public func knownResources() async throws -> [KnownResource] {
        try await backend.knownResources()
    }

    /// Records the desired resources as applied (a new generation where the spec changed)
    /// and forgets resources that are no longer desired and hold nothing.
    public func recordApplied(_ desired: DesiredState, versions: [ResourceID: String], conditions: [ResourceID: [Condition]],
                              forget: [ResourceID], at now: Instant) async throws {
        try await backend.recordApplied(desired, versions: versions, conditions: conditions, forget: forget, at: now)
    }

    /// Providers applied before, as they were applied: for machines whose provider has
    /// since left the configuration.
    public func appliedSchedulers() async throws -> [SchedulerSpec] {
        try await backend.appliedSchedulers()
    }

    public func appliedProviders() async throws -> [ProviderSpec] {
        try await backend.appliedProviders()
    }
}
