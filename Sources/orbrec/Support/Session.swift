internal import ArgumentParser
internal import Foundation
internal import Glibc
// struct stat is defined by CDispatch once another file of the module imports Dispatch (MemberImportVisibility).
internal import CDispatch
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecLocal
internal import OrbrecAWS
internal import OrbrecSlurm
internal import OrbrecLeases
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecStorePostgres

/// What a command needs from its surroundings: the configuration, the state, the wired
/// engine, the lock, and where to print. The one place concrete adapters are chosen.
struct Session {
    let global: GlobalOptions
    let terminal: Terminal
    let logger: Logger

    init(_ global: GlobalOptions) {
        self.global = global
        terminal = global.terminal
        logger = Logger(level: global.logLevel ?? .warn)
    }

    /// Runs a command body, rendering failures once and exiting with their status.
    static func run(_ global: GlobalOptions, _ body: (Session) async throws -> ExitStatus) async throws {
        let session = Session(global)
        let status: ExitStatus
        do {
            status = try await body(session)
        } catch let failure as CommandFailure {
            session.render(failure.diagnostics)
            if !failure.message.isEmpty { session.terminal.error(failure.message) }
            throw failure.status.code
        } catch let exit as ExitCode {
            throw exit
        } catch {
            session.terminal.error("\(error)")
            throw ExitStatus.error.code
        }
        if status != .success { throw status.code }
    }

    func render(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics {
            let label = diagnostic.severity == .error ? terminal.red("error:") : terminal.yellow("warning:")
            let location = diagnostic.location.map { "\($0): " } ?? ""
            terminal.err("\(location)\(label) \(diagnostic.message)")
            // The source line and its caret, for the problems that carry them (YAML syntax, duplicate keys).
            for line in diagnostic.excerpt?.rendered ?? [] { terminal.err(terminal.dim(line)) }
        }
    }

    // MARK: Configuration

    func loadConfiguration() throws -> LoadedConfiguration {
        do {
            let loaded = try ConfigLoader().load(global.config, policyDirectories: global.policyDirectories, excluding: writtenDirectories)
            logger.debug("configuration loaded", [("files", "\(loaded.files.count)"), ("revision", loaded.desired.revision)])
            return loaded
        } catch {
            let errors = error.diagnostics.filter { $0.severity == .error }.count
            throw CommandFailure(.error, "\(errors) error(s) in the configuration; nothing was planned or applied",
                                 diagnostics: error.diagnostics)
        }
    }

    // MARK: State

    /// Opens the state, creating it when there is none yet. A daemon keeps more connections
    /// to a PostgreSQL state than a command does.
    func openStore(use: StateStores.Use = .command) async throws -> StateStore {
        let address = try global.stateAddress()
        do {
            guard let store = try await StateStores.open(address, create: true, use: use, warn: { terminal.note("warning: \($0)") }) else {
                throw CommandFailure(.error, "cannot open the state at \(global.stateShown)")
            }
            return store
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(.error, "cannot open the state at \(global.stateShown): \(error)")
        }
    }

    func openExistingStore() async throws -> StateStore? {
        let address = try global.stateAddress()
        do {
            return try await StateStores.open(address, create: false, warn: { terminal.note("warning: \($0)") })
        } catch {
            throw CommandFailure(.error, "cannot open the state at \(global.stateShown): \(error)")
        }
    }

    /// Opens the state for a command that only reads it; when there is none yet, says so
    /// (on stderr, so JSON on stdout stays whole) and creates nothing.
    func openJournal() async throws -> StateStore? {
        let store = try await openExistingStore()
        if store == nil { terminal.note(noStateMessage) }
        return store
    }

    var noStateMessage: String { "no state at \(global.stateShown) (nothing applied yet)" }

    /// What orbrec writes, never to be read as configuration wherever it lies: the state's
    /// directory, and the task outputs and machine logs kept beside the state.
    var writtenDirectories: [String] {
        let directory = StateLocation.absolute(stateDirectory)
        return [directory, directory + "/tasks", directory + "/machines"]
    }

    /// Where this machine keeps what lives beside the state: task outputs and machine logs.
    /// Beside the file for a SQLite state; for a PostgreSQL state, which has no directory,
    /// `ORBREC_DATA_DIR` or the configuration's `.orbrec` directory.
    var stateDirectory: String {
        if global.stateIsRemote {
            if let named = ProcessInfo.processInfo.environment["ORBREC_DATA_DIR"], !named.isEmpty { return named }
            return (StateLocation.defaultPath(forConfiguration: global.config) as NSString).deletingLastPathComponent
        }
        let directory = (global.statePath as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    func reconciler(_ store: StateStore) -> Reconciler {
        let logDirectory = stateDirectory + "/machines"
        if global.stateIsRemote {
            try? FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // Task outputs and machine logs may hold what commands print (secrets among it): only
        // their owner may read them, whatever the modes of what the adapters make inside.
        Self.makePrivateDirectory(taskDirectory)
        Self.makePrivateDirectory(logDirectory)
        // Recorded in the state beside each attempt and machine: another host sharing the state
        // can then say where their files are.
        store.setLocalFiles(outputs: Self.hostName + ":" + taskDirectory, machineLogs: Self.hostName + ":" + StateLocation.absolute(logDirectory))
        let failpoint = Failpoint.fromEnvironment()
        let taskDirectory = self.taskDirectory
        let runner = Self.executablePath
        let environment = ProcessInfo.processInfo.environment
        let hostFactory = hostFactoryProviders(environment: environment, failpoint: failpoint)
        let configuration = global.config
        let stateDirectory = self.stateDirectory
        return Reconciler(store: store, providerFactory: { spec in
            switch spec.type {
            case .local: LocalProvider(name: spec.name, logDirectory: logDirectory, afterSpawn: { failpoint("local.after-spawn") })
            case .aws: AWSProvider.make(spec, environment: environment, clock: SystemClock(), afterLaunch: { failpoint("aws.after-launch") })
            case .hostfactory: hostFactory(spec)
            }
        }, schedulerFactory: { spec in
            switch spec.type {
            case .local: LocalScheduler(name: spec.name, root: taskDirectory, runner: runner, slots: spec.effectiveSlots, ends: Self.attemptEnds)
            case .slurm: SlurmScheduler(spec: spec, root: taskDirectory, runner: runner, useArrays: environment["ORBREC_SLURM_ARRAYS"] != "0",
                                        connection: Self.sshConnection(for: spec, configuration: configuration, stateDirectory: stateDirectory),
                                        version: Self.runnerVersion)
            case .leases: LeaseScheduler(name: spec.name, store: store, clock: SystemClock())
            case .pbs, .lsf: nil
            }
        }, actor: Self.actor, checkpoint: failpoint, attemptEnds: Self.attemptEnds)
    }

    /// Makes `path` a directory only its owner can enter (0700), tightening one orbrec made
    /// before. Best effort: an adapter that needs it reports its own error.
    static func makePrivateDirectory(_ path: String) {
        if mkdir(path, 0o700) != 0 && errno == EEXIST {
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid(), info.st_mode & 0o077 != 0 {
                _ = chmod(path, 0o700)
            }
        }
    }

    /// Where this process's schedulers announce ended attempts to its engine.
    static let attemptEnds = AttemptEnds()

    /// Where the local scheduler keeps each attempt's output and result.
    var taskDirectory: String {
        let directory = stateDirectory.hasPrefix("/") ? stateDirectory : FileManager.default.currentDirectoryPath + "/" + stateDirectory
        return (directory as NSString).standardizingPath + "/tasks"
    }

    /// This executable, which also runs attempts (`orbrec _run-attempt`).
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static var actor: String {
        let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "uid\(getuid())"
        return "\(user)@\(hostName)"
    }

    static var hostName: String { ProcessInfo.processInfo.hostName }

    /// Whether the lock's holder is known to be gone: a process on this host that no longer
    /// runs (pid and start time). A holder on another host is never judged gone.
    static func holderIsGone(_ holder: LockRecord) -> Bool {
        guard holder.host == hostName, let ticks = UInt64(holder.processStart) else { return false }
        return !ProcessIdentity(pid: holder.pid, startTicks: ticks).isAlive
    }

    /// Whether the lock's holder is known to run: a process on this host with that pid (and
    /// that start time, when recorded). A holder on another host cannot be checked from here.
    static func holderIsAliveHere(_ holder: LockRecord) -> Bool {
        guard holder.host == hostName else { return false }
        guard let ticks = UInt64(holder.processStart) else { return kill(holder.pid, 0) == 0 || errno == EPERM }
        return ProcessIdentity(pid: holder.pid, startTicks: ticks).isAlive
    }

    /// Takes the state lock for `operation`, waiting up to `timeout`; throws `LockTimeout`
    /// naming the holder, and the state's own error when the lock row cannot be written.
    func takeLock(_ store: StateStore, operation: String, timeout: ConfigDuration,
                  alsoStale: (@Sendable (LockRecord) -> Bool)? = nil) async throws -> LockRecord {
        let me = ProcessIdentity.current()
        let record = LockRecord(id: "lock-" + UUID().uuidString.prefix(8).lowercased(), operation: operation, who: Self.actor,
                                host: Self.hostName, pid: me.pid, processStart: String(me.startTicks),
                                createdAt: SystemClock().now(), ttl: Self.lockTTL)
        // A holder on this host whose process is gone (killed) cannot release it: take over.
        return try await StateLock(store: store).acquire(record, timeout: timeout) { Self.holderIsGone($0) || alsoStale?($0) == true }
    }

    /// How long the state lock outlives its holder's last renewal (renewed every third of it):
    /// how soon a holder that died on another host, where its pid cannot be checked, lets go.
    /// `ORBREC_LOCK_TTL` (a duration) changes it; 30 s by default.
    static var lockTTL: ConfigDuration {
        ProcessInfo.processInfo.environment["ORBREC_LOCK_TTL"].flatMap(ConfigDuration.init(parsing:))
            .flatMap { $0.milliseconds > 0 ? $0 : nil } ?? .seconds(30)
    }

    /// Takes the state lock for `operation`, waiting up to `timeout`; exit 5 naming the holder.
    func lock(_ store: StateStore, operation: String, timeout: ConfigDuration) async throws -> LockRecord {
        do {
            return try await takeLock(store, operation: operation, timeout: timeout)
        } catch let timeout as LockTimeout {
            let holder = timeout.holder
            let lapse = holder.expiresAt.map { "; it lapses at \(Format.time($0)) unless renewed" } ?? ""
            throw CommandFailure(.lockTimeout, "the state is locked by \(holder.id) (\(holder.operation) by \(holder.who), pid \(holder.pid) "
                + "on \(holder.host), since \(Format.time(holder.createdAt))\(lapse)); waited \(timeout.timeout). "
                + "If that process is gone from another host, run 'orbrec lock force-unlock \(holder.id)'")
        }
    }
}
