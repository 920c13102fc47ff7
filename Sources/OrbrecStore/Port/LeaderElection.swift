public import OrbrecCore

/// A daemon that asks to lead a shared state: who it is, and where its API answers.
public struct LeaderCandidate: Sendable, Hashable {
    /// Unique to the daemon process (a new one at each start).
    public var holder: String
    public var host: String
    public var pid: Int32
    /// The address of its API (`http://host:port`), so followers can point clients at it.
    public var api: String?

    public init(holder: String, host: String, pid: Int32, api: String?) {
        self.holder = holder
        self.host = host
        self.pid = pid
        self.api = api
    }
}

/// The lead of a shared state, held under an epoch that only grows: each new leader's is
/// greater than every earlier one's, and every journal write a leader makes is checked
/// against it in the same transaction (fencing).
public struct Leadership: Sendable, Hashable {
    public var holder: String
    public var epoch: Int64
    /// When the lead lapses unless renewed, by the database's clock.
    public var expiresAt: Instant

    public init(holder: String, epoch: Int64, expiresAt: Instant) {
        self.holder = holder
        self.epoch = epoch
        self.expiresAt = expiresAt
    }
}

/// Who leads, as the state records it.
public struct LeaderRecord: Sendable, Hashable {
    public var holder: String?
    public var host: String?
    public var pid: Int32?
    public var epoch: Int64
    public var api: String?
    public var expiresAt: Instant
    /// Held and not lapsed, by the database's clock.
    public var live: Bool

    public init(holder: String?, host: String?, pid: Int32?, epoch: Int64, api: String?, expiresAt: Instant, live: Bool) {
        self.holder = holder
        self.host = host
        self.pid = pid
        self.epoch = epoch
        self.api = api
        self.expiresAt = expiresAt
        self.live = live
    }
}

/// A journal write refused because the writer no longer leads: another daemon was elected
/// since (its epoch is greater). The writer must stop acting on the state.
public struct Fenced: Error, Sendable, CustomStringConvertible {
    public var epoch: Int64

    package init(epoch: Int64) { self.epoch = epoch }

    public var description: String { "this daemon no longer leads the state (its epoch \(epoch) was superseded); the write was refused" }
}

/// A journal write refused because the state lock this process held was taken over: it
/// lapsed (the process could not renew it, cut off or paused) and another took it. The
/// process must stop acting on the state; what it had in flight is recovered by the holder.
public struct LockLost: Error, Sendable, CustomStringConvertible {
    public var lockID: String

    package init(lockID: String) { self.lockID = lockID }

    public var description: String {
        "the state lock \(lockID) was taken over by another process (it lapsed unrenewed); this one stopped writing to the state"
    }
}

/// What a backend shared by several daemons does to let one of them lead.
package protocol LeaderElectionBackend: Sendable {
    /// Takes the lead if nobody holds it or it lapsed; nil when another daemon leads.
    func campaign(_ candidate: LeaderCandidate, ttl: ConfigDuration) async throws -> Leadership?
    /// Extends the lead; nil when it was lost (lapsed and taken, or resigned).
    func renew(_ leadership: Leadership, ttl: ConfigDuration) async throws -> Leadership?
    /// Gives the lead up at once, so a follower takes over without waiting for it to lapse.
    func resign(_ leadership: Leadership) async throws
    func leader() async throws -> LeaderRecord?
    /// From now on, every journal write of this process checks that `leadership` still holds
    /// (nil: writes are not fenced).
    func fence(_ leadership: Leadership?)
    /// Whether a write was refused since the fence was set.
    var wasFenced: Bool { get }
}
