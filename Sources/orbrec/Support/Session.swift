internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecLocal
internal import OrbrecAWS
internal import OrbrecSlurm
internal import OrbrecLeases
internal import OrbrecSpec
internal import OrbrecStore

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
        }
    }

    // MARK: Configuration

    func loadConfiguration() throws -> LoadedConfiguration {
        do {
            let loaded = try ConfigLoader().load(global.config, policyDirectories: global.policyDirectories)
            logger.debug("configuration loaded", [("files", "\(loaded.files.count)"), ("revision", loaded.desired.revision)])
            return loaded
        } catch {
            let errors = error.diagnostics.filter { $0.severity == .error }.count
            throw CommandFailure(.error, "\(errors) error(s) in the configuration; nothing was planned or applied",
                                 diagnostics: error.diagnostics)
        }
    }

    // MARK: State

    func openStore() throws -> StateStore {
        do {
            return try StateStore(path: global.statePath)
        } catch {
            throw CommandFailure(.error, "cannot open the state at \(global.statePath): \(error)")
        }
    }

    func openExistingStore() throws -> StateStore? {
        do {
            return try StateStore.openExisting(path: global.statePath)
        } catch {
            throw CommandFailure(.error, "cannot open the state at \(global.statePath): \(error)")
        }
    }

    var stateDirectory: String {
        let directory = (global.statePath as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    func reconciler(_ store: StateStore) -> Reconciler {
        let logDirectory = stateDirectory + "/machines"
        let failpoint = Failpoint.fromEnvironment()
        let taskDirectory = self.taskDirectory
        let runner = Self.executablePath
        let environment = ProcessInfo.processInfo.environment
        return Reconciler(store: store, providerFactory: { spec in
            switch spec.type {
            case .local: LocalProvider(name: spec.name, logDirectory: logDirectory, afterSpawn: { failpoint("local.after-spawn") })
            case .aws: AWSProvider.make(spec, environment: environment, clock: SystemClock(), afterLaunch: { failpoint("aws.after-launch") })
            case .hostfactory: nil
            }
        }, schedulerFactory: { spec in
            switch spec.type {
            case .local: LocalScheduler(name: spec.name, root: taskDirectory, runner: runner, ends: Self.attemptEnds)
            case .slurm: SlurmScheduler(spec: spec, root: taskDirectory, runner: runner, useArrays: environment["ORBREC_SLURM_ARRAYS"] != "0")
            case .leases: LeaseScheduler(name: spec.name, store: store, clock: SystemClock())
            case .pbs, .lsf: nil
            }
        }, actor: Self.actor, checkpoint: failpoint, attemptEnds: Self.attemptEnds)
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

    // MARK: Lock

    /// Takes the state lock for `operation`, waiting up to `timeout`; exit 5 naming the holder.
    func lock(_ store: StateStore, operation: String, timeout: ConfigDuration) async throws -> LockRecord {
        let me = ProcessIdentity.current()
        let record = LockRecord(id: "lock-" + UUID().uuidString.prefix(8).lowercased(), operation: operation, who: Self.actor,
                                host: Self.hostName, pid: me.pid, processStart: String(me.startTicks),
                                createdAt: SystemClock().now())
        do {
            // A holder on this host whose process is gone (killed) cannot release it: take over.
            return try await StateLock(store: store).acquire(record, timeout: timeout) { Self.holderIsGone($0) }
        } catch let timeout as LockTimeout {
            let holder = timeout.holder
            throw CommandFailure(.lockTimeout, "the state is locked by \(holder.id) (\(holder.operation) by \(holder.who), pid \(holder.pid), "
                + "since \(Format.time(holder.createdAt))); waited \(timeout.timeout). "
                + "If that process is gone from another host, run 'orbrec lock force-unlock \(holder.id)'")
        }
    }
}
