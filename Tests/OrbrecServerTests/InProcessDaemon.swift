import Foundation
import Glibc
import OrbrecCore
import OrbrecEngine
import OrbrecLeases
import OrbrecLocal
@testable import OrbrecServer
import OrbrecSpec
import OrbrecStore
import Synchronization

/// The parts `orbrec run` wires, in this process: a SQLite state in a temporary directory, a
/// reconcile loop over a local provider and the lease scheduler, and the API server whose
/// router tests call without a socket. Machines are real `sleep` processes, returned by
/// `tearDown`; the api pool's attempts are real `echo` processes under the built binary's
/// attempt supervisor (`orbrec _supervise`), as `orbrec run` starts them.
struct InProcessDaemon: Sendable {
    static let token = "in-process-test-token-0123456789"

    let directory: String
    let store: StateStore
    let loop: ReconcileLoop
    let provider: LocalProvider
    let server: APIServer
    /// What the server logged as `request failed`: an answer it could not give (a 500).
    let failures = LoggedFailures()

    /// A local provider with a fleet of one `sleep` machine (template `sleeper`, room for four),
    /// a pull pool `jobs` of 300 tasks, a workflow `nightly` whose one step waits on a pull
    /// pool no worker claims from (a run of it stays running until cancelled), and a pool
    /// `feed` whose tasks are posted to the API (`source: api`), run on the local scheduler
    /// `cpu`: its command echoes the args of the OpenAPI document's example task (`run-7`,
    /// mesh and seed), so the task routes answer that example as the document shows it.
    static let configuration = """
        apiVersion: orbrec/v1
        kind: Provider
        metadata: {name: here}
        spec: {type: local}
        ---
        apiVersion: orbrec/v1
        kind: Template
        metadata: {name: sleeper}
        spec: {provider: here, command: ["sleep", "300"], stopTimeout: 1s, maxMachines: 4}
        ---
        apiVersion: orbrec/v1
        kind: Fleet
        metadata: {name: workers}
        spec: {template: sleeper, count: 1}
        ---
        apiVersion: orbrec/v1
        kind: TaskPool
        metadata: {name: jobs}
        spec:
          mode: pull
          range: {from: 1, to: 300}
        ---
        apiVersion: orbrec/v1
        kind: TaskPool
        metadata: {name: waiting}
        spec:
          mode: pull
          items: [one]
        ---
        apiVersion: orbrec/v1
        kind: Scheduler
        metadata: {name: cpu}
        spec: {type: local, slots: 2}
        ---
        apiVersion: orbrec/v1
        kind: TaskPool
        metadata: {name: feed}
        spec:
          scheduler: cpu
          source: api
          command: ["echo", "${args.mesh}", "${args.seed}"]
        ---
        apiVersion: orbrec/v1
        kind: Workflow
        metadata: {name: nightly}
        spec:
          concurrency: allow
          steps:
            - name: wait
              taskPool: {ref: waiting}
        """

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-server-\(UUID().uuidString.lowercased())").path
        try FileManager.default.createDirectory(atPath: directory + "/config", withIntermediateDirectories: true)
        try Self.configuration.write(toFile: directory + "/config/orbrec.yaml", atomically: true, encoding: .utf8)
        let store = try StateStore(path: directory + "/state/state.db")
        let provider = LocalProvider(name: "here", logDirectory: directory + "/machines")
        let taskRoot = directory + "/tasks"
        let reconciler = Reconciler(store: store, providerFactory: { _ in provider }, schedulerFactory: { spec in
            switch spec.type {
            case .leases: LeaseScheduler(name: spec.name, store: store, clock: SystemClock())
            // The api pool `feed` runs on it; its queues are also asked (partitions and jobs).
            case .local: LocalScheduler(name: spec.name, root: taskRoot, runner: Self.runner, slots: 2)
            default: nil
            }
        }, actor: "test@in-process")
        // The state's own lock, waited for up to the loop's timeout as the daemon waits (the
        // loop's flow steps and passes take it in turn).
        let lock = StateLockHooks(acquire: { timeout in
            let deadline = ContinuousClock.now + .milliseconds(timeout.milliseconds)
            while true {
                let asked = LockRecord(id: "lock-" + UUID().uuidString.lowercased(), operation: "run", who: "test@in-process",
                                       host: ProcessInfo.processInfo.hostName, pid: getpid(), processStart: "0", createdAt: SystemClock().now())
                // tryLock answers the holder that keeps it from being taken; nil when it is taken.
                if try await store.tryLock(asked, isStale: { _ in false }) == nil { return asked.id }
                guard ContinuousClock.now < deadline else { throw LockBusy() }
                try await Task.sleep(for: .milliseconds(20))
            }
        }, release: { id in try? await store.unlock(id: id) })
        loop = ReconcileLoop(reconciler: reconciler, store: store,
                             options: DaemonOptions(observeInterval: .seconds(1), taskInterval: .seconds(1)),
                             lock: lock, log: DaemonLog { _, _, _ in })
        let failures = self.failures
        var server = APIServer(host: "127.0.0.1", port: 0, token: BearerToken(Self.token), store: store, loop: loop, pulse: EventPulse(),
                           log: DaemonLog { level, message, fields in
                               if level == .error { failures.append(([message] + fields.map { "\($0.0)=\($0.1)" }).joined(separator: " ")) }
                           })
        // Where the local scheduler keeps attempts' output, as `orbrec run` tells its server:
        // the logs route reads an attempt of `feed` there.
        server.taskDirectory = taskRoot
        self.server = server
        self.store = store
        self.provider = provider
    }

    /// The attempt supervisor the local scheduler starts: the built `orbrec` (ORBREC_BIN, or
    /// this package's debug build).
    static let runner: String = {
        if let path = ProcessInfo.processInfo.environment["ORBREC_BIN"], !path.isEmpty { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/orbrec").path
    }()

    struct LockBusy: Error {}

    /// Loads the configuration as the daemon does at start.
    func loadConfiguration() async throws {
        let loaded = try ConfigLoader().load(directory + "/config")
        await loop.configurationLoaded(.valid(loaded.desired), cause: "start")
    }

    /// Returns every machine this state's owner holds (their processes are killed), then
    /// removes the directory.
    func tearDown() async {
        if let held = try? await provider.machines(ownedBy: store.stateID), !held.isEmpty {
            _ = await provider.returnMachines(ReturnOrder(requestID: "ret-teardown", actionID: "act-teardown", owner: store.stateID,
                                                          machines: held.map { ReturnOrder.Machine(id: $0.id, providerID: $0.providerID) }))
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

final class LoggedFailures: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// Waits until `condition` holds, looking every 100 ms, for at most `timeout`.
func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}
