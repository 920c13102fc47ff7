internal import ArgumentParser
internal import Foundation
internal import OrbrecStore

extension StateCommand {
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a copy of the state to a new SQLite state file, whatever its backend.",
            discussion: """
                The copy is one consistent snapshot (SQLite: VACUUM INTO; PostgreSQL: the export 'state migrate' makes), \
                taken without the state lock, and keeps the state id. Restore it with \
                'orbrec state migrate --state FILE --to TARGET'.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The new file (refused if it exists).", valueName: "file"), completion: .file())
        var file: String

        func run() async throws {
            try await Session.run(global) { session in
                guard let source = try await session.openExistingStore() else { throw CommandFailure(.error, session.noStateMessage) }
                let shown = StateLocation.absolute(file)
                try await source.backup(toFile: file)
                // Read back: the file is a state, it is this one, and it holds what it should.
                guard let copy = try StateStore.openExisting(path: file), copy.stateID == source.stateID else {
                    throw CommandFailure(.error, "the backup at \(shown) is not a copy of state \(source.stateID)")
                }
                let rows = try await copy.rowCounts().values.reduce(0, +)
                session.terminal.out("Backed up state \(source.stateID) from \(global.stateShown) to \(shown): \(rows) rows.")
                session.terminal.out("Restore it with: orbrec state migrate --state \(shown) --to TARGET")
                return .success
            }
        }
    }
}
