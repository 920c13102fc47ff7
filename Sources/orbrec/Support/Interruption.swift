internal import Foundation
internal import Glibc
internal import Synchronization

/// SIGINT while a command changes things. While it only prepares (plans, asks for
/// confirmation) the first SIGINT runs `leave` (releasing what it holds) and exits 130; once it
/// carries out, the first asks it to stop starting anything and runs `stopping`, and it ends
/// on its own; a second SIGINT always leaves at once (the lock it leaves names a process that
/// is gone, which the next apply takes over).
final class Interruption: Sendable {
    private struct State {
        var count = 0
        var carryingOut = false
        var leave: (@Sendable () async -> Void)?
        var stopping: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private let source: SignalSource

    /// Takes SIGINT over from the default (which would kill the process holding the lock).
    init(leave: @escaping @Sendable () async -> Void) {
        state.withLock { $0.leave = leave }
        signal(SIGINT, SIG_IGN)
        let dispatch = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "orbrec.interrupt"))
        source = SignalSource(dispatch)
        dispatch.setEventHandler { [weak self] in self?.received() }
        dispatch.resume()
    }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }

    /// From now on the first SIGINT asks to stop (and runs `stopping`) rather than leaving.
    func carryingOut(stopping: @escaping @Sendable () -> Void) {
        state.withLock { state in
            state.carryingOut = true
            state.stopping = stopping
        }
    }

    var isInterrupted: Bool { state.withLock { $0.count > 0 } }

    private func received() {
        // Signals that arrive together are delivered as one event: count them all.
        let arrived = max(1, Int(source.data))
        let (count, carryingOut, leave, stopping) = state.withLock { state in
            state.count += arrived
            return (state.count, state.carryingOut, state.leave, state.stopping)
        }
        if count > 1 { _exit(130) }
        if carryingOut {
            stopping?()
        } else if let leave {
            // Releasing what it holds is a store call (async): exit once it is done. A second
            // SIGINT meanwhile still leaves at once.
            Task {
                await leave()
                _exit(130)
            }
        } else {
            _exit(130)
        }
    }
}

/// Holds the dispatch source, which is not `Sendable` but only resumed and cancelled.
private final class SignalSource: @unchecked Sendable {
    private let source: any DispatchSourceSignal
    init(_ source: any DispatchSourceSignal) { self.source = source }
    /// How many signals the event being handled stands for.
    var data: UInt { source.data }
    func cancel() { source.cancel() }
}
