internal import ArgumentParser
internal import Foundation
internal import Glibc
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecServer
internal import OrbrecMCP
internal import OrbrecSpec
internal import OrbrecStore
internal import Synchronization

/// `orbrec run`: the reconcile loop, the watcher feeding it, the HTTP API, signals and
/// systemd notifications, wired together and stopped in order.
struct Daemon {
    let session: Session
    let store: StateStore
    let address: ListenAddress
    /// The tokens the API accepts; SIGHUP reads `tokensFile` again into it.
    let access: AccessControl
    let tokensFile: String?
    let options: DaemonOptions
    let logger: DaemonLogger
    let watch: WatchMode
    let pollInterval: ConfigDuration
    let debounce: ConfigDuration
    let leaderTTL: ConfigDuration
    let httpLimits: HTTPLimits

    func run() async throws -> ExitStatus {
        let log = logger.daemonLog
        let notifier = SystemdNotifier()
        SystemdNotifier.forgetEnvironment()
        // Signals first, so a TERM during start-up is not lost.
        let signals = SignalEvents.stream()
        let pulse = EventPulse()
        // A release that failed (the database busy past its timeout) is retried before the
        // next acquire, or the daemon's own stale lock would block it and every CLI apply.
        let unreleased = FailureNote()
        // Daemons sharing a state lock for their passes only while they lead, one at a time:
        // a pass lock of another daemon is a superseded leader's, left when it died.
        let electsLeader = store.electsLeader
        let lock = StateLockHooks(acquire: { [session, store] timeout in
            if let id = unreleased.take() {
                do {
                    try await store.unlock(id: id)
                } catch {
                    // Still unwritable (a full disk): the daemon's own lock row is no holder to wait for.
                    unreleased.set(id)
                    throw error
                }
            }
            if electsLeader {
                return try await session.takeLock(store, operation: "run", timeout: timeout, alsoStale: { $0.operation == "run" }).id
            }
            return try await session.takeLock(store, operation: "run", timeout: timeout).id
        }, release: { [store] id in
            do {
                try await store.unlock(id: id)
            } catch {
                unreleased.set(id)
                log.emit(.error, "cannot release the state lock; retrying before the next pass", [("lock", id), ("error", "\(error)")])
            }
        })
        let loop = ReconcileLoop(reconciler: session.reconciler(store), store: store, options: options, lock: lock, log: log,
                                 journaled: { pulse.pulse() })
        log.emit(.info, "starting", [("config", session.global.config), ("state", session.global.stateShown),
                                     ("listen", address.description), ("watch", watch.rawValue)] + Self.tokenFields(access, tokensFile))
        // Workers could not heartbeat while no daemon ran: their leases get a fresh length at
        // every start. With a shared state that may also lengthen, by one lease, the wait for a
        // worker that died while other daemons served it; refusing a live worker's heartbeat
        // because this daemon still follows its dead predecessor would be worse.
        await Self.startServing(store, log)
        let elector = store.electsLeader
            ? LeaderElector(store: store, candidate: LeaderCandidate(holder: "daemon-" + UUID().uuidString.prefix(13).lowercased(),
                                                                     host: Session.hostName, pid: getpid(), api: "http://\(address)"),
                            ttl: leaderTTL, log: log, status: loop.status)
            : nil
        // The watcher first: a file saved while the first configuration is read is then seen.
        let watcher = makeWatcher(log)
        await loop.configurationLoaded(load(), cause: "start")

        // MCP over HTTP at /mcp: the tools of `orbrec mcp`, for agents that reach the daemon.
        let mcpEndpoint = try await MCPHTTPEndpoint.start(
            OrbrecMCPServer(backend: SessionMCPBackend(session: session, loop: loop), version: Orbrec.configuration.version))
        var api = APIServer(host: address.host, port: address.port, access: access, store: store, loop: loop, pulse: pulse, log: log,
                            mcp: { method, headers, body, scopes in
                                await mcpEndpoint.handle(method: method, headers: headers, body: body, path: "/mcp", scopes: scopes)
                            },
                            limits: httpLimits)
        api.taskDirectory = session.taskDirectory
        let server = api
        let serverFailure = FailureNote()
        let config = session.global.config
        let policies = session.global.policyDirectories
        let written = session.writtenDirectories
        let (tokens, tokensPath) = (access, tokensFile)

        // The loop acts only once the API listens: a daemon that cannot bind exits having
        // changed nothing (a restart loop under systemd must not act every few seconds).
        let (listening, listeningContinuation) = AsyncStream<Bool>.makeStream()
        // And only while it leads the daemons sharing its state (at once, for a state file).
        let (leads, leading) = AsyncStream<Bool>.makeStream()
        // The address followers point clients at: the one bound (a port 0 is chosen then).
        let (boundAPIs, boundAPI) = AsyncStream<String>.makeStream()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await server.run { bound in
                        log.emit(.info, "listening", [("address", bound)])
                        notifier.ready(status: "listening on \(bound)")
                        boundAPI.yield("http://\(bound)")
                        listeningContinuation.yield(true)
                    }
                } catch {
                    if !Task.isCancelled {
                        serverFailure.set("the HTTP API cannot listen on \(address): \(error)")
                        loop.stop()
                    }
                }
                listeningContinuation.yield(false)
                boundAPI.finish()
            }
            group.addTask {
                for await batch in watcher.batches() {
                    loop.metrics.recordWatcherEvents(batch.counts)
                    let files = batch.paths.sorted()
                    let cause = batch.rescanned ? "rescan" : "changed: " + files.prefix(5).joined(separator: ", ")
                        + (files.count > 5 ? " and \(files.count - 5) more" : "")
                    await loop.configurationLoaded(Self.load(config, policies: policies, excluding: written), cause: cause)
                }
            }
            group.addTask { await Self.heartbeat(notifier, loop) }
            if let elector {
                // News from the daemons sharing the state: event streams wake at once, and the
                // leader hears of attempts that workers ended through a follower's lease API.
                group.addTask { await Self.follow(store.changes(), store: store, loop: loop, pulse: pulse) }
                group.addTask {
                    // The loop acts only while this daemon leads; once the lead is lost it must stop
                    // at once, mid-action or not: the new leader recovers what was in flight, as after
                    // a crash, and two leaders must never act together.
                    var bound = boundAPIs.makeAsyncIterator()
                    guard let api = await bound.next() else { return }
                    await elector.announce(api: api)
                    guard await elector.lead() != nil else { return }
                    leading.yield(true)
                    if let loss = await elector.hold() {
                        log.emit(.error, "lost the lead of the state: \(loss); exiting so that only the new leader acts", [])
                        _exit(75)
                    }
                }
            } else {
                leading.yield(true)
            }
            // Event streams end once the loop has finished, not at the signal: clients see the
            // events of the actions that finish during the stop.
            group.addTask {
                var stopping = false
                for await number in signals {
                    let name = SignalEvents.name(number)
                    if number == SIGHUP && stopping {
                        log.emit(.info, "ignoring SIGHUP while stopping", [])
                    } else if number == SIGHUP {
                        notifier.reloading()
                        log.emit(.info, "reloading", [("signal", name)])
                        if let tokensPath { Self.reloadTokens(tokensPath, into: tokens, log: log) }
                        await loop.configurationLoaded(Self.load(config, policies: policies, excluding: written), cause: name)
                        await loop.reconcileAll(cause: name)
                        notifier.ready(status: "reloaded")
                    } else if stopping {
                        log.emit(.warning, "second signal: exiting at once", [("signal", name)])
                        _exit(128 + number)
                    } else {
                        stopping = true
                        log.emit(.info, "stopping: finishing the actions in flight", [("signal", name)])
                        notifier.stopping(status: "finishing the actions in flight")
                        loop.stop()
                        // A leader keeps renewing its lead until the loop has finished the actions
                        // in flight: another daemon must not lead while it still acts.
                        elector?.stopCampaigning()
                        leading.yield(false)
                    }
                }
            }
            var iterator = listening.makeAsyncIterator()
            var leadership = leads.makeAsyncIterator()
            if await iterator.next() == true, await leadership.next() == true {
                await loop.run()
            }
            elector?.stop()
            await elector?.resign()
            watcher.stop()
            group.cancelAll()
        }
        if let failure = serverFailure.message {
            throw CommandFailure(.error, failure)
        }
        log.info("stopped")
        return .success
    }

    /// The `starting` line's word on tokens: whether the single token is set, and how many
    /// entries the tokens file gave. Never a secret, a hash or a name.
    static func tokenFields(_ access: AccessControl, _ tokensFile: String?) -> [(String, String)] {
        let entries = access.keyring.entries
        let single = entries.contains { $0.name == TokenEntry.singleTokenName }
        var fields = [("token", single ? "set" : "none")]
        if tokensFile != nil { fields.append(("tokens", "\(entries.count - (single ? 1 : 0))")) }
        return fields
    }

    /// SIGHUP: a good tokens file is in force for the next request; a bad one leaves the tokens
    /// in force as they were, and says why.
    static func reloadTokens(_ path: String, into access: AccessControl, log: DaemonLog) {
        do {
            let entries = try TokensFile.read(path)
            access.replaceFileTokens(entries)
            log.emit(.info, "tokens reloaded", [("file", path), ("tokens", "\(entries.count)")])
        } catch {
            log.emit(.warning, "tokens file refused; the tokens in force stay", [("file", path), ("error", error.description)])
        }
    }

    static func follow(_ changes: AsyncStream<StateChange>, store: StateStore, loop: ReconcileLoop, pulse: EventPulse) async {
        for await change in changes {
            switch change {
            case .events:
                pulse.pulse()
            case .attemptEnded(let pool, let key, let attempt):
                guard loop.status.current.role?.leads == true,
                      let lease = try? await store.currentLease(pool: pool, key: key), lease.attempt == attempt, lease.state == .ended
                else { continue }
                loop.attemptEnded(ObservedAttempt(scheduler: TaskPoolSpec.pullScheduler, task: lease.task, attempt: attempt,
                                                  jobID: lease.worker.map { "lease:\($0)" } ?? "offered",
                                                  outcome: lease.outcome ?? AttemptOutcome(lost: true)))
            }
        }
    }

    /// What a daemon does as it starts: leases get a fresh length, old idempotent answers go.
    static func startServing(_ store: StateStore, _ log: DaemonLog) async {
        let renewed = (try? await store.renewLeasesAfterRestart(at: SystemClock().now())) ?? 0
        if renewed > 0 { log.emit(.info, "leases renewed after the restart", [("leases", "\(renewed)")]) }
        try? await store.pruneIdempotentAnswers(at: SystemClock().now())
    }

    func load() -> ConfigurationLoad {
        Self.load(session.global.config, policies: session.global.policyDirectories, excluding: session.writtenDirectories)
    }

    static func load(_ config: String, policies: [String], excluding written: [String]) -> ConfigurationLoad {
        do {
            return .valid(try ConfigLoader().load(config, policyDirectories: policies, excluding: written).desired)
        } catch {
            return .invalid(error.diagnostics)
        }
    }

    func makeWatcher(_ log: DaemonLog) -> any ConfigurationWatcher {
        if watch == .inotify {
            do {
                let quiet = Duration.milliseconds(debounce.milliseconds)
                return try InotifyWatcher(root: session.global.config, debounce: quiet, maxDelay: max(.milliseconds(250), quiet * 4),
                                          excluding: session.writtenDirectories)
            } catch {
                log.emit(.warning, "inotify unavailable; polling instead", [("error", "\(error)"), ("interval", "\(pollInterval)")])
            }
        }
        return PollingWatcher(root: session.global.config, interval: .milliseconds(pollInterval.milliseconds),
                              excluding: session.writtenDirectories)
    }

    static let stuckAfterMilliseconds: Int64 = 300_000

    /// WATCHDOG=1 at half of WATCHDOG_USEC, and STATUS= whenever the summary changes.
    static func heartbeat(_ notifier: SystemdNotifier, _ loop: ReconcileLoop) async {
        guard notifier.isActive else { return }
        let tick = min(notifier.watchdogInterval ?? .seconds(1), .seconds(1))
        var lastStatus = ""
        var lastPing = ContinuousClock.now - .seconds(3600)
        while !Task.isCancelled {
            let status = loop.status.current
            let metrics = loop.metrics.current
            let text = status.stopping ? "stopping"
                : (status.configurationErrors.isEmpty ? "" : "configuration invalid (\(status.configurationErrors.count) error(s)); ")
                + "revision \(status.revision.map { String($0.prefix(12)) } ?? "none"), \(status.passes) pass(es), queue \(metrics.queueDepth)"
            if text != lastStatus {
                notifier.status(text)
                lastStatus = text
            }
            // Fed while the loop makes progress: a pass stuck for five minutes in an adapter call
            // (holding the state lock) stops the pings, and systemd restarts the daemon.
            let stuck = status.inPass && MonotonicClock().now().millisecondsSinceEpoch - status.lastProgress > Self.stuckAfterMilliseconds
            if let interval = notifier.watchdogInterval, ContinuousClock.now - lastPing >= interval, !stuck {
                notifier.watchdog()
                lastPing = ContinuousClock.now
            }
            try? await Task.sleep(for: tick)
        }
    }
}

/// The first fatal failure of a part of the daemon, for the exit message.
final class FailureNote: Sendable {
    private let value = Mutex<String?>(nil)

    func set(_ message: String) { value.withLock { $0 = $0 ?? message } }
    var message: String? { value.withLock { $0 } }
    func take() -> String? { value.withLock { value in defer { value = nil }; return value } }
}
