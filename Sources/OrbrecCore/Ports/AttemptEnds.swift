internal import Synchronization

/// Where a scheduler announces attempts that just ended, so the engine fills the freed slot
/// at once instead of at its next look. Ends are hints: the engine settles each from what it
/// reports, and a level-triggered pass still finds any end that was never announced.
public final class AttemptEnds: Sendable {
    private struct State {
        var ended: [ObservedAttempt] = []
        var lookRequested = false
        var listener: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    /// Announces ended attempts; kept only while someone listens.
    public func post(_ attempts: [ObservedAttempt]) {
        guard !attempts.isEmpty else { return }
        let listener = state.withLock { state -> (@Sendable () -> Void)? in
            guard let listener = state.listener else { return nil }
            state.ended += attempts
            return listener
        }
        listener?()
    }

    /// Asks for a whole look (a pass) soon: a scheduler lost track of attempts it announced
    /// the ends of (its supervisor is gone), so what became of them is for observation to find.
    public func requestLook() {
        let listener = state.withLock { state -> (@Sendable () -> Void)? in
            state.lookRequested = true
            return state.listener
        }
        listener?()
    }

    /// Whether a look was asked for since the last call.
    public func takeLookRequest() -> Bool {
        state.withLock { state in
            defer { state.lookRequested = false }
            return state.lookRequested
        }
    }

    /// Everything announced since the last call.
    public func take() -> [ObservedAttempt] {
        state.withLock { state in
            defer { state.ended = [] }
            return state.ended
        }
    }

    /// Whether ends wait to be taken.
    public var hasPending: Bool { state.withLock { !$0.ended.isEmpty } }

    /// Whether some end waiting to be taken is of another scheduler than `scheduler`.
    public func hasPending(besides scheduler: String) -> Bool {
        state.withLock { $0.ended.contains { $0.scheduler != scheduler } }
    }

    /// Sets the one listener, called (on the announcing thread) after each announcement; nil stops listening.
    public func listen(_ listener: (@Sendable () -> Void)?) {
        state.withLock { state in
            state.listener = listener
            if listener == nil { state.ended = [] }
        }
    }
}
