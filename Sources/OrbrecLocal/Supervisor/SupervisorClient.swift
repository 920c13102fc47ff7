public import OrbrecCore
internal import Foundation
internal import Glibc
internal import Synchronization

/// orbrec's side of one attempt supervisor: starts it, sends it orders, and turns its
/// replies into submit reports and announced ends. One per (state, scheduler, task root) in a
/// process, shared by every `LocalScheduler` value made for that scheduler.
final class SupervisorClient: Sendable {
    /// Orders sent together, waiting for their replies.
    private struct Batch {
        var orders: [SupervisorOrder]
        var replies: [SupervisorReply?]
        var remaining: Int
        var continuation: CheckedContinuation<[SupervisorReply], Never>

        func finished() -> [SupervisorReply] { replies.enumerated().map { $1 ?? SupervisorClient.gone(orders[$0]) } }
    }

    private struct State {
        var batches: [Int: Batch] = [:]
        var waiting: [String: (batch: Int, index: Int)] = [:]
        var nextBatch = 0
        var alive = true
    }

    let identity: ProcessIdentity
    private let orders: Int32
    private let state = Mutex(State())
    private let ends: AttemptEnds
    private let scheduler: String

    private static let clients = Mutex<[String: SupervisorClient]>([:])

    /// The live supervisor for this scheduler, started when there is none.
    static func shared(runner: String, owner: String, scheduler: String, root: String, grace: Int64,
                       environment: [String: String], ends: AttemptEnds) throws -> SupervisorClient {
        let key = [root, owner, scheduler].joined(separator: "\u{0}")
        return try clients.withLock { clients in
            if let client = clients[key], client.isAlive { return client }
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
        guard let toChild = Pipes.make(flags: O_CLOEXEC), let fromChild = Pipes.make(flags: O_CLOEXEC) else {
            throw ProviderError(code: "spawn-failed", message: "cannot make the supervisor's pipes: \(String(cString: strerror(errno)))")
        }
        var tagged = environment
        tagged[LocalScheduler.Tag.managedBy] = owner
        tagged[LocalScheduler.Tag.scheduler] = scheduler
        tagged[LocalScheduler.Tag.role] = "supervisor"
        let argv = [runner, "_supervise", "--owner=\(owner)", "--scheduler=\(scheduler)", "--root=\(root)", "--grace-ms=\(grace)"]
        let pid: Int32
        do throws(DetachedProcess.SpawnError) {
            pid = try DetachedProcess.spawn(argv: argv, environment: tagged, logPath: root + "/.supervisor.log",
                                            stdin: toChild.read, stdout: fromChild.write)
        } catch {
            for fd in [toChild.read, toChild.write, fromChild.read, fromChild.write] { close(fd) }
            throw ProviderError(code: "spawn-failed", message: "cannot start the attempt supervisor \(runner): \(error.message)")
        }
        close(toChild.read)
        close(fromChild.write)
        orders = toChild.write
        identity = ProcessIdentity(pid: pid, startTicks: ProcFileSystem.stat(of: pid)?.startTicks ?? 0)
        self.ends = ends
        self.scheduler = scheduler
        let replies = fromChild.read
        Thread.detachNewThread { [self] in readReplies(from: replies) }
    }

    var isAlive: Bool { state.withLock { $0.alive } }

    /// Starts attempts; one reply each (`started` or `failed`), in order.
    func start(_ orders: [SupervisorOrder]) async -> [SupervisorReply] {
        guard !orders.isEmpty else { return [] }
        var lines: [UInt8] = []
        for order in orders { lines += SupervisorCoding.encodeLine(order) }
        return await withCheckedContinuation { (continuation: CheckedContinuation<[SupervisorReply], Never>) in
            // Every waiter is registered before the orders go out: a reply may come at once.
            let accepted = state.withLock { state -> Bool in
                guard state.alive else { return false }
                let id = state.nextBatch
                state.nextBatch += 1
                state.batches[id] = Batch(orders: orders, replies: Array(repeating: nil, count: orders.count), remaining: orders.count,
                                          continuation: continuation)
                for (index, order) in orders.enumerated() { state.waiting[Self.key(order.pool, order.key, order.attempt)] = (id, index) }
                return true
            }
            guard accepted else { return continuation.resume(returning: orders.map(Self.gone)) }
            if !send(lines) { failAll() }
        }
    }

    /// Asks the supervisor to stop an attempt it runs; false when it is gone.
    func cancel(pool: String, key: String, attempt: Int) -> Bool {
        send(SupervisorCoding.encodeLine(SupervisorOrder(op: .cancel, pool: pool, key: key, attempt: attempt)))
    }

    private func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(orders, $0.baseAddress, $0.count) }
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
                case .started, .failed:
                    let done = state.withLock { state -> (CheckedContinuation<[SupervisorReply], Never>, [SupervisorReply])? in
                        guard let (id, index) = state.waiting.removeValue(forKey: Self.key(reply.pool, reply.key, reply.attempt)),
                              var batch = state.batches[id] else { return nil }
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
                case .ended:
                    guard let result = reply.result else { continue }
                    let jobID = reply.pid.map { "local:\($0)" } ?? "local:\(reply.pool)/\(reply.key)#\(reply.attempt)"
                    ended.append(ObservedAttempt(scheduler: scheduler, task: TaskID(pool: reply.pool, key: reply.key),
                                                 attempt: reply.attempt, jobID: jobID, outcome: result.outcome))
                }
            }
            ends.post(ended)
        }
        close(fd)
        failAll()
        // Attempts it ran may have ended unrecorded (it was killed): a pass finds out.
        ends.requestLook()
        var status: Int32 = 0
        _ = waitpid(identity.pid, &status, 0)
    }

    private func failAll() {
        let (wasAlive, batches) = state.withLock { state -> (Bool, [Batch]) in
            let wasAlive = state.alive
            state.alive = false
            defer {
                state.batches = [:]
                state.waiting = [:]
            }
            return (wasAlive, Array(state.batches.values))
        }
        if wasAlive { close(orders) }
        for batch in batches { batch.continuation.resume(returning: batch.finished()) }
    }

    fileprivate static func gone(_ order: SupervisorOrder) -> SupervisorReply {
        SupervisorReply(kind: .failed, pool: order.pool, key: order.key, attempt: order.attempt, message: "the attempt supervisor exited")
    }

    private static func key(_ pool: String, _ key: String, _ attempt: Int) -> String { "\(pool)\u{0}\(key)\u{0}\(attempt)" }
}
