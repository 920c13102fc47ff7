public import OrbrecCore
internal import OrbrecAttempts
internal import OrbrecProcess
internal import Foundation
internal import Glibc
internal import Synchronization

/// orbrec's side of one attempt supervisor: starts it, sends it orders, and turns its
/// replies into submit reports and announced ends. One per (state, scheduler, task root) in a
/// process, shared by every `LocalScheduler` value made for that scheduler (the first one's
/// environment, grace and `AttemptEnds` are the supervisor's).
final class SupervisorClient: Sendable {
    /// Orders sent together, waiting for their replies.
    private struct Batch {
        var orders: [SupervisorOrder]
        var replies: [SupervisorReply?]
        var remaining: Int
        var continuation: CheckedContinuation<[SupervisorReply], Never>

        /// What came back; an order with no reply (the supervisor went away) may or may not
        /// have started: `gone`.
        func finished() -> [SupervisorReply] { replies.enumerated().map { $1 ?? SupervisorClient.gone(orders[$0]) } }
    }

    private struct State {
        var batches: [Int: Batch] = [:]
        var waiting: [Int: (batch: Int, index: Int)] = [:]
        var nextBatch = 0
        var nextOrder = 0
        /// Takes orders; false once it exited, stopped, or a write to it failed.
        var accepting = true
        /// The order pipe, closed (-1) once the supervisor can take no more.
        var orders: Int32
        /// Attempts answered `queued` that have neither started nor ended since.
        var queued: Set<AttemptKey> = []
    }

    let identity: ProcessIdentity
    /// Serialises the orders' writes with the pipe's closing: one batch's lines never
    /// interleave with another's, and no write goes to a descriptor closed and reused meanwhile.
    private let state: Mutex<State>
    private let ends: AttemptEnds
    private let scheduler: String

    private static let clients = Mutex<[String: SupervisorClient]>([:])

    /// The supervisor taking orders for this scheduler, started when there is none.
    static func shared(runner: String, owner: String, scheduler: String, root: String, grace: Int64,
                       environment: [String: String], ends: AttemptEnds) throws -> SupervisorClient {
        let key = [root, owner, scheduler].joined(separator: "\u{0}")
        return try clients.withLock { clients in
            if let client = clients[key], client.isAccepting { return client }
            let client = try SupervisorClient(runner: runner, owner: owner, scheduler: scheduler, root: root, grace: grace,
                                              environment: environment, ends: ends)
            clients[key] = client
            return client
        }
    }

    private init(runner: String, owner: String, scheduler: String, root: String, grace: Int64,
                 environment: [String: String], ends: AttemptEnds) throws {
        guard SupervisorState.makeDirectories(root) else {
            throw ProviderError(code: "output-directory", message: "cannot create \(root): \(String(cString: strerror(errno)))")
        }
        guard let toChild = Pipes.make(flags: O_CLOEXEC) else {
            throw ProviderError(code: "spawn-failed", message: "cannot make the supervisor's pipes: \(String(cString: strerror(errno)))")
        }
        guard let fromChild = Pipes.make(flags: O_CLOEXEC) else {
            close(toChild.read)
            close(toChild.write)
            throw ProviderError(code: "spawn-failed", message: "cannot make the supervisor's pipes: \(String(cString: strerror(errno)))")
        }
        var tagged = environment
        tagged[LocalScheduler.Tag.managedBy] = owner
        tagged[LocalScheduler.Tag.scheduler] = scheduler
        tagged[LocalScheduler.Tag.role] = "supervisor"
        let argv = [runner, "_supervise", "--owner=\(owner)", "--scheduler=\(scheduler)", "--root=\(root)", "--grace-ms=\(grace)",
                    "--parent=\(getpid())"]
        let pid: Int32
        do throws(SpawnError) {
            pid = try DetachedProcess.spawn(ProcessLaunch(argv, environment: tagged, stdin: .descriptor(toChild.read),
                                                          stdout: .descriptor(fromChild.write), stderr: .file(root + "/.supervisor.log"),
                                                          grouping: .session))
        } catch {
            for fd in [toChild.read, toChild.write, fromChild.read, fromChild.write] { close(fd) }
            throw ProviderError(code: "spawn-failed", message: "cannot start the attempt supervisor \(runner): \(error.message)")
        }
        close(toChild.read)
        close(fromChild.write)
        state = Mutex(State(orders: toChild.write))
        identity = ProcessIdentity(pid: pid, startTicks: ProcFileSystem.stat(of: pid)?.startTicks ?? 0)
        self.ends = ends
        self.scheduler = scheduler
        let replies = fromChild.read
        Thread.detachNewThread { [self] in readReplies(from: replies) }
    }

    var isAccepting: Bool { state.withLock { $0.accepting } }

    /// The supervisor taking orders for this scheduler in this process, if one was started.
    static func existing(owner: String, scheduler: String, root: String) -> SupervisorClient? {
        clients.withLock { $0[[root, owner, scheduler].joined(separator: "\u{0}")] }
    }

    /// Whether `attempt` waits in this supervisor's queue (answered `queued`, not started since).
    func isWaiting(_ attempt: AttemptKey) -> Bool { state.withLock { $0.queued.contains(attempt) } }

    /// Starts attempts; one reply each, in order: `started`, `queued` (it starts when a slot
    /// frees), `failed` (nothing was started), or, when the supervisor went away first, `gone`
    /// (it may have started).
    func start(_ orders: [SupervisorOrder]) async -> [SupervisorReply] {
        guard !orders.isEmpty else { return [] }
        return await withCheckedContinuation { (continuation: CheckedContinuation<[SupervisorReply], Never>) in
            let sent = state.withLock { state -> Bool in
                guard state.accepting else { return false }
                // Every waiter is registered before the orders go out: a reply may come at once.
                let id = state.nextBatch
                state.nextBatch += 1
                var numbered = orders
                for index in numbered.indices {
                    numbered[index].seq = state.nextOrder
                    state.waiting[state.nextOrder] = (id, index)
                    state.nextOrder += 1
                }
                state.batches[id] = Batch(orders: numbered, replies: Array(repeating: nil, count: orders.count), remaining: orders.count,
                                          continuation: continuation)
                var lines: [UInt8] = []
                for order in numbered { lines += SupervisorCoding.encodeLine(order) }
                if Self.write(lines, to: state.orders) { return true }
                // It cannot take orders any more; its replies (some of these may have started)
                // are still read until it closes its end.
                state.accepting = false
                close(state.orders)
                state.orders = -1
                return true
            }
            if !sent { continuation.resume(returning: orders.map(Self.gone)) }
        }
    }

    private static func write(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    private func readReplies(from fd: Int32) {
        var buffer = LineBuffer()
        reading: while true {
            switch buffer.fill(from: fd) {
            case .closed: break reading
            case .again: continue
            case .data: break
            }
            var ended: [ObservedAttempt] = []
            while let line = buffer.nextLine() {
                guard let reply = SupervisorCoding.decode(SupervisorReply.self, from: line) else { continue }
                switch reply.kind {
                case .started, .failed, .queued:
                    let key = AttemptKey(task: TaskID(pool: reply.pool, key: reply.key), attempt: reply.attempt)
                    state.withLock { state in
                        if reply.kind == .queued { state.queued.insert(key) } else { state.queued.remove(key) }
                    }
                    // A queued order's later `started` finds no one waiting: its answer was `queued`.
                    answer(reply)
                case .stopping:
                    // It takes no more orders: the next submit starts another supervisor.
                    stopAccepting()
                case .gone:
                    break
                case .ended:
                    _ = state.withLock { $0.queued.remove(AttemptKey(task: TaskID(pool: reply.pool, key: reply.key), attempt: reply.attempt)) }
                    guard let result = reply.result else { continue }
                    let jobID = reply.pid.map { "local:\(ProcessIdentity(pid: $0, startTicks: reply.ticks ?? 0))" }
                        ?? "local:\(reply.pool)/\(reply.key)#\(reply.attempt)"
                    ended.append(ObservedAttempt(scheduler: scheduler, task: TaskID(pool: reply.pool, key: reply.key),
                                                 attempt: reply.attempt, jobID: jobID, outcome: result.outcome))
                }
            }
            ends.post(ended)
        }
        close(fd)
        stopAccepting()
        let batches = state.withLock { state -> [Batch] in
            defer {
                state.batches = [:]
                state.waiting = [:]
            }
            return Array(state.batches.values)
        }
        for batch in batches { batch.continuation.resume(returning: batch.finished()) }
        var status: Int32 = 0
        _ = waitpid(identity.pid, &status, 0)
        // Attempts it ran may have ended unrecorded (it was killed): a pass finds out.
        ends.requestLook()
    }

    private func answer(_ reply: SupervisorReply) {
        let done = state.withLock { state -> (CheckedContinuation<[SupervisorReply], Never>, [SupervisorReply])? in
            guard let seq = reply.seq, let (id, index) = state.waiting.removeValue(forKey: seq), var batch = state.batches[id] else { return nil }
            batch.replies[index] = reply
            batch.remaining -= 1
            guard batch.remaining == 0 else {
                state.batches[id] = batch
                return nil
            }
            state.batches[id] = nil
            return (batch.continuation, batch.finished())
        }
        if let (continuation, replies) = done { continuation.resume(returning: replies) }
    }

    private func stopAccepting() {
        state.withLock { state in
            state.accepting = false
            if state.orders >= 0 {
                close(state.orders)
                state.orders = -1
            }
        }
    }

    fileprivate static func gone(_ order: SupervisorOrder) -> SupervisorReply {
        SupervisorReply(kind: .gone, pool: order.pool, key: order.key, attempt: order.attempt, seq: order.seq,
                        message: "the attempt supervisor went away before it answered")
    }
}
