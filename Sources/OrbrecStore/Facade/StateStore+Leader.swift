public import OrbrecCore

extension StateStore {
    /// Whether daemons sharing this state elect a leader (a PostgreSQL state); a state file
    /// has one daemon, which leads.
    public var electsLeader: Bool { backend.election != nil }

    /// Takes the lead if nobody holds it or it lapsed; nil when another daemon leads.
    public func campaign(_ candidate: LeaderCandidate, ttl: ConfigDuration) async throws -> Leadership? {
        try await backend.election?.campaign(candidate, ttl: ttl)
    }

    /// Extends the lead; nil when it was lost.
    public func renew(_ leadership: Leadership, ttl: ConfigDuration) async throws -> Leadership? {
        try await backend.election?.renew(leadership, ttl: ttl)
    }

    public func resign(_ leadership: Leadership) async throws {
        try await backend.election?.resign(leadership)
    }

    /// Who leads, if this state elects a leader.
    public func leader() async throws -> LeaderRecord? {
        try await backend.election?.leader()
    }

    /// Every journal write of this process checks, in its transaction, that `leadership`
    /// still holds; a write made after it was superseded throws `Fenced`.
    public func fence(_ leadership: Leadership?) { backend.election?.fence(leadership) }

    /// Whether a write was refused since the fence was set: this process no longer leads.
    public var wasFenced: Bool { backend.election?.wasFenced ?? false }

    /// What other processes sharing the state change, as it happens (nothing for a file).
    public func changes() -> AsyncStream<StateChange> { backend.changes() }
}
