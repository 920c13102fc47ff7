internal import ArgumentParser
internal import Foundation
internal import Glibc
internal import OrbrecCore
internal import OrbrecStore
internal import OrbrecStorePostgres

struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state", abstract: "The state itself: look at it, copy it to another backend, back it up.",
        subcommands: [Show.self, Migrate.self, Backup.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the state into an empty one, a file or a PostgreSQL schema, keeping its id.",
            discussion: """
                Every row of every table is copied from one snapshot of the state, taken while holding its lock, \
                and written in one transaction; the copy keeps the state id its machines and jobs carry, and its event \
                numbers. The target must hold no state: a new file, or a schema that is missing or only just created. \
                The source is left as it was: use the target from then on, and stop whatever still uses the source.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The target: a new state file, or a PostgreSQL URL (postgres://…&schema=…) whose schema holds no state.",
                                   valueName: "path|url"))
        var to: String

        @Option(help: "How long to wait for the state lock.")
        var lockTimeout: ConfigDuration = ConfigDuration(milliseconds: 0)

        func run() async throws {
            try await Session.run(global) { session in
                let target: StateAddress
                do throws(StateAddressError) { target = try StateAddress.parse(to) } catch { throw CommandFailure(.error, "--to: \(error.message)") }
                let targetShown = StateCommand.shown(target)
                if StateCommand.sameState(target, try global.stateAddress()) {
                    throw CommandFailure(.error, "--to names the state itself (\(targetShown)); give another target")
                }
                guard let source = try await session.openExistingStore() else { throw CommandFailure(.error, session.noStateMessage) }
                // A file made for this copy goes again if the copy fails: no empty state is left behind to be mistaken for it.
                let madeFile: String? = if case .file(let path) = target, !FileManager.default.fileExists(atPath: path) { path } else { nil }
                let lock = try await session.lock(source, operation: "state migrate", timeout: lockTimeout)
                let copied = try await withCleanup {
                    let destination = try await StateCommand.open(target, shown: targetShown, session)
                    do {
                        let copied = try await source.copy(into: destination)
                        await destination.close()
                        return copied
                    } catch {
                        await destination.close()
                        if let madeFile { StateCommand.removeStateFile(madeFile) }
                        throw error
                    }
                } cleanup: {
                    try? await source.unlock(id: lock.id)
                }
                session.terminal.out("Copied state \(source.stateID) from \(global.stateShown) to \(targetShown):")
                var table = Table("TABLE", "ROWS")
                for copy in copied { table.add(copy.name, String(copy.rows.count)) }
                table.add("total", String(copied.reduce(0) { $0 + $1.rows.count }))
                session.terminal.out(table.rendered)
                session.terminal.out("""
                    The source is left as it was. Use --state \(targetShown) from now on, and stop whatever still uses \
                    the source (a daemon, a scheduled job): both would act on the same machines.
                    """)
                return .success
            }
        }
    }

    /// Opens (creating it when there is none) the state a copy goes into.
    static func open(_ target: StateAddress, shown: String, _ session: Session) async throws -> StateStore {
        do {
            guard let opened = try await StateStores.open(target, create: true, warn: { session.terminal.note("warning: \($0)") }) else {
                throw CommandFailure(.error, "cannot open the target \(shown)")
            }
            return opened
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(.error, "cannot open the target \(shown): \(error)")
        }
    }

    /// Where a state is, as messages show it: a file's absolute path, or the URL without its password.
    static func shown(_ address: StateAddress) -> String {
        switch address {
        case .file(let path): StateLocation.absolute(path)
        case .postgres(let url): url.redacted
        }
    }

    /// Whether two addresses name one state: one file, or one schema of one database.
    static func sameState(_ first: StateAddress, _ second: StateAddress) -> Bool {
        switch (first, second) {
        case (.file(let one), .file(let other)): StateLocation.absolute(one) == StateLocation.absolute(other)
        case (.postgres(let one), .postgres(let other)):
            (one.host.lowercased(), one.port, one.database, one.schema) == (other.host.lowercased(), other.port, other.database, other.schema)
        default: false
        }
    }

    /// A state file and what SQLite and orbrec keep beside it.
    static func removeStateFile(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal", ".open-lock"] { unlink(path + suffix) }
    }
}
