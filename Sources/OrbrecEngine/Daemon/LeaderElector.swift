public import OrbrecCore
public import OrbrecStore
internal import Synchronization

/// Elects this daemon among those sharing a state, and holds the lead while it acts.
///
/// A follower asks every half second; a leader renews every third of the lead's time to
/// live. A leader stops acting (its caller exits) as soon as the lead is lost, a write of
/// its was refused as superseded, or it could not renew within the time to live less a
/// margin: by then another daemon may lead, and two must never act at once. Until it stops,
/// every journal write it makes is checked against its epoch (fencing), so a late write of a
/// superseded leader is refused by the state itself.
public actor LeaderElector {
    /// Why a leader stopped leading.
    public enum Loss: Sendable, CustomStringConvertible {
        /// Another daemon took the lead (this one's lapsed).
        case superseded
        /// A journal write was refused: another daemon had been elected.
        case fenced
        /// No renewal succeeded within the time to live less its margin.
        case unrenewed

        public var description: String {
            switch self {
            case .superseded: "another daemon took the lead"
            case .fenced: "a write was refused because another daemon was elected"
            case .unrenewed: "the lead could not be renewed in time (the state unreachable)"
            }
        }
    }

    let store: StateStore
    var candidate: LeaderCandidate
    let ttl: ConfigDuration
    let log: DaemonLog
    let status: DaemonStatusCell
    var leadership: Leadership?
    /// No more campaigns (the daemon is stopping); a lead held is still renewed.
    nonisolated let campaignsOver = Atomic<Bool>(false)
    /// The lead is no longer needed: the loop has returned.
    nonisolated let stopped = Atomic<Bool>(false)

    public init(store: StateStore, candidate: LeaderCandidate, ttl: ConfigDuration, log: DaemonLog, status: DaemonStatusCell) {
        self.store = store
        self.candidate = candidate
        self.ttl = ttl
        self.log = log
        self.status = status
        status.update { $0.role = DaemonRole(leads: false, epoch: nil, leader: nil) }
    }

    /// Where this daemon's API answers, once it is bound: what followers name as the leader's.
    public func announce(api: String) { candidate.api = api }

    /// Waits until this daemon leads, and returns its lead; nil when stopped first.
    public func lead() async -> Leadership? {
        var lastLeader: String?
        while !campaignsOver.load(ordering: .relaxed) && !stopped.load(ordering: .relaxed) && !Task.isCancelled {
            do {
                if let won = try await store.campaign(candidate, ttl: ttl) {
                    if campaignsOver.load(ordering: .relaxed) || stopped.load(ordering: .relaxed) {
                        // Won while stopping: give it back at once rather than let it lapse.
                        try? await store.resign(won)
                        return nil
                    }
                    leadership = won
                    store.fence(won)
                    status.update { $0.role = DaemonRole(leads: true, epoch: won.epoch, leader: nil) }
                    log.info("elected leader of the state", [("epoch", "\(won.epoch)"), ("holder", won.holder)])
                    return won
                }
                let current = try await store.leader()
                status.update { $0.role = DaemonRole(leads: false, epoch: nil, leader: current) }
                if let holder = current?.holder, holder != lastLeader {
                    log.info("following", [("leader", holder), ("host", current?.host ?? ""), ("api", current?.api ?? ""),
                                           ("epoch", "\(current?.epoch ?? 0)")])
                    lastLeader = holder
                }
            } catch {
                log.warning("cannot campaign for the lead", [("error", "\(error)")])
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return nil
    }

    /// Renews the lead until `stop()`, which comes once the loop has finished what it was
    /// doing (a stopping leader keeps its lead, and its fence, until then); returns why it was
    /// lost, or nil once stopped.
    public func hold() async -> Loss? {
        guard var held = leadership else { return nil }
        let ttl = Duration.milliseconds(self.ttl.milliseconds)
        let every = ttl / 3
        let margin = min(Duration.seconds(2), ttl / 5)
        var renewedAt = ContinuousClock.now
        while !stopped.load(ordering: .relaxed) && !Task.isCancelled {
            try? await Task.sleep(for: min(.milliseconds(250), every))
            if store.wasFenced { return .fenced }
            if ContinuousClock.now - renewedAt >= every {
                // Measured from before the call: the lead runs from when it was asked for.
                let asked = ContinuousClock.now
                // A renewal that hangs (the database cut off) must not keep this leader acting
                // past its lead: it is given up when the lead would lapse.
                let deadline = renewedAt + ttl - margin
                switch await Self.renew(held, store: store, ttl: self.ttl, until: deadline) {
                case .renewed(let renewed):
                    held = renewed
                    leadership = renewed
                    renewedAt = asked
                case .lost:
                    return .superseded
                case .failed(let error):
                    log.warning("cannot renew the lead; trying again", [("error", error)])
                }
            }
            if ContinuousClock.now - renewedAt > ttl - margin { return .unrenewed }
        }
        return nil
    }

    enum Renewal: Sendable {
        case renewed(Leadership)
        case lost
        case failed(String)
    }

    /// The renewal's answer, or a failure at `deadline` if it has none by then. The call is
    /// left to finish on its own (a query in flight may not stop when asked): waiting for it
    /// is what must not happen.
    static func renew(_ held: Leadership, store: StateStore, ttl: ConfigDuration, until deadline: ContinuousClock.Instant) async -> Renewal {
        let first = FirstAnswer<Renewal>()
        return await withCheckedContinuation { continuation in
            first.set(continuation)
            let call = Task {
                do {
                    first.give(try await store.renew(held, ttl: ttl).map(Renewal.renewed) ?? .lost)
                } catch {
                    first.give(.failed("\(error)"))
                }
            }
            Task {
                try? await Task.sleep(until: deadline)
                first.give(.failed("no answer before the lead would lapse"))
                call.cancel()
            }
        }
    }

    /// Gives the lead up, so a follower takes over at once rather than when it lapses.
    public func resign() async {
        guard let held = leadership else { return }
        leadership = nil
        do {
            try await store.resign(held)
            log.info("resigned the lead", [("epoch", "\(held.epoch)")])
        } catch {
            log.warning("cannot resign the lead; it lapses by itself", [("error", "\(error)")])
        }
    }

    /// The daemon is stopping: campaign no more. A lead held is renewed until `stop()`.
    public nonisolated func stopCampaigning() { campaignsOver.store(true, ordering: .relaxed) }

    /// The loop has returned: the lead is no longer needed (resign it next).
    public nonisolated func stop() { stopped.store(true, ordering: .relaxed) }
}

/// Resumes a continuation with the first of several answers; the later ones are dropped.
final class FirstAnswer<Value: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Value, Never>?, early: Value?, done: Bool)>((nil, nil, false))

    func set(_ continuation: CheckedContinuation<Value, Never>) {
        let early = state.withLock { state -> Value? in
            if let early = state.early { state.early = nil; state.done = true; return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func give(_ value: Value) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard !state.done else { return nil }
            guard let continuation = state.continuation else {
                if state.early == nil { state.early = value }
                return nil
            }
            state.done = true
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: value)
    }
}

/// Whether this daemon leads the state it shares with others, and who does.
public struct DaemonRole: Sendable {
    public var leads: Bool
    /// This daemon's epoch while it leads.
    public var epoch: Int64?
    /// Who leads, as a follower last read it.
    public var leader: LeaderRecord?
}
