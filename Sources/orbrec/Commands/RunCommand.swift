internal import ArgumentParser
internal import Foundation
internal import Glibc
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecServer
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecStorePostgres

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: watch the configuration, reconcile continuously, serve the HTTP API.",
        discussion: """
            SIGTERM or SIGINT finish the actions in flight and exit 0 (a second one exits at once); SIGHUP reloads \
            the configuration (and the tokens file) and reconciles everything. Under systemd (Type=notify) it reports READY, RELOADING, \
            STOPPING, STATUS and WATCHDOG. The state lock is held only while a pass acts, so the CLI keeps working.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Where the HTTP API listens (HOST:PORT; port 0 picks a free one).", valueName: "addr"))
    var listen: String = "127.0.0.1:7077"

    @Option(help: ArgumentHelp("A file holding the API's bearer token (else $ORBREC_TOKEN), which may do everything.", valueName: "path"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("A private YAML or JSON file of scoped tokens (else $ORBREC_TOKENS_FILE): each a name, the SHA-256 of its secret, its scopes (read, operate, worker) and an optional rate limit. Read again on SIGHUP.", valueName: "path"))
    var tokensFile: String?

    @Option(help: ArgumentHelp("How the configuration directory is watched: inotify or poll.", valueName: "mode"))
    var watch: String = WatchMode.inotify.rawValue

    @Option(help: "How often --watch=poll looks at the files.")
    var pollInterval: ConfigDuration = .seconds(1)

    @Option(help: "How long a burst of file events must be quiet before the configuration is read.")
    var debounce: ConfigDuration = ConfigDuration(milliseconds: 25)

    @Option(help: "How often every fleet is reconciled without a change (providers observed).")
    var observeInterval: ConfigDuration = .seconds(10)

    @Option(help: "How often an unfinished task pool is looked at (schedulers observed).")
    var taskInterval: ConfigDuration = .seconds(2)

    @Option(help: "How many resources are changed at once.")
    var parallelism: Int = 10

    @Option(help: "How long a pass waits for the state lock (held by a CLI apply) before backing off.")
    var lockTimeout: ConfigDuration = .seconds(30)

    @Option(help: "How long after a configuration change a removed fleet or pool waits before it is pruned (a multi-file edit may pass through a state without it).")
    var pruneDelay: ConfigDuration = .seconds(3)

    @Option(help: "How long the HTTP API waits for a whole request head, or the next part of a body, before closing the connection; also how long an idle connection stays open. A request must arrive whole within twice this.")
    var httpIdleTimeout: ConfigDuration = .seconds(30)

    @Option(help: "How many event streams the HTTP API serves at once (more get 503).")
    var eventStreams: Int = 64

    @Option(help: "How many event streams one remote address may hold at once (more get 429).")
    var eventStreamsPerClient: Int = 16

    @Flag(help: "Allow a configuration with no resources to remove everything.")
    var allowEmpty = false

    @Option(help: "With a PostgreSQL state shared by several daemons: how long the leader's lead outlives its last renewal (renewed every third of it), so how soon a follower takes over from a leader that died.")
    var leaderTTL: ConfigDuration = .seconds(15)

    func validate() throws {
        guard ListenAddress(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, like 127.0.0.1:7077 or [::1]:7077") }
        guard WatchMode(rawValue: watch) != nil else { throw ValidationError("--watch must be inotify or poll") }
        guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1") }
        guard eventStreams >= 1, eventStreamsPerClient >= 1 else {
            throw ValidationError("--event-streams and --event-streams-per-client must be at least 1")
        }
        for (name, value) in [("--poll-interval", pollInterval), ("--observe-interval", observeInterval), ("--task-interval", taskInterval),
                              ("--http-idle-timeout", httpIdleTimeout), ("--leader-ttl", leaderTTL)]
        where value.milliseconds < 10 {
            throw ValidationError("\(name) must be at least 10ms")
        }
    }

    func run() async throws {
        try await Session.run(global) { session in
            let address = ListenAddress(listen)!
            let token = try readToken()
            let tokensPath = tokensFile ?? ProcessInfo.processInfo.environment["ORBREC_TOKENS_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            let fileTokens = try tokensPath.map(readTokensFile) ?? []
            if !APIServer.isLoopback(address.host) && token == nil && tokensPath == nil {
                throw CommandFailure(.error, "refusing to listen on \(address) without a token: the API would be open to the network. "
                    + "Give one with --token-file, --tokens-file, ORBREC_TOKEN or ORBREC_TOKENS_FILE, or listen on 127.0.0.1")
            }
            let access = AccessControl(keyring: TokenKeyring(single: token, file: fileTokens))
            let logger = DaemonLogger(level: global.logLevel ?? .info)
            let store = try await session.openStore(use: .daemon)
            // One daemon per state file. Several daemons on one PostgreSQL state take turns
            // through the state lock, pass by pass, as a daemon and `orbrec apply` do.
            let instance = global.stateIsRemote ? nil : try DaemonInstanceLock.acquire(statePath: global.statePath)
            defer { if let instance { close(instance.descriptor) } }
            let options = DaemonOptions(parallelism: parallelism, observeInterval: observeInterval, taskInterval: taskInterval,
                                        lockTimeout: lockTimeout, pruneDelay: pruneDelay, allowEmpty: allowEmpty)
            let daemon = Daemon(session: session, store: store, address: address, access: access, tokensFile: tokensPath, options: options, logger: logger,
                                watch: WatchMode(rawValue: watch) ?? .inotify, pollInterval: pollInterval, debounce: debounce, leaderTTL: leaderTTL,
                                httpLimits: httpLimits)
            return try await daemon.run()
        }
    }

    private var httpLimits: HTTPLimits {
        let idle = Duration.milliseconds(httpIdleTimeout.milliseconds)
        return HTTPLimits(idleTimeout: idle, requestTimeout: idle * 2, eventStreams: eventStreams,
                          eventStreamsPerClient: eventStreamsPerClient)
    }

    private func readTokensFile(_ path: String) throws -> [TokenEntry] {
        do {
            return try TokensFile.read(path)
        } catch {
            throw CommandFailure(.error, error.problems.joined(separator: "\n"))
        }
    }

    private func readToken() throws -> BearerToken? {
        let text: String
        let source: String
        if let tokenFile {
            guard let contents = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw CommandFailure(.error, "cannot read the token file \(tokenFile)")
            }
            text = contents
            source = "the token file \(tokenFile)"
        } else if let value = ProcessInfo.processInfo.environment["ORBREC_TOKEN"], !value.isEmpty {
            text = value
            source = "ORBREC_TOKEN"
        } else {
            return nil
        }
        guard let token = BearerToken(text) else {
            throw CommandFailure(.error, "the token in \(source) is too short: use at least 16 characters (e.g. openssl rand -hex 32)")
        }
        return token
    }
}

