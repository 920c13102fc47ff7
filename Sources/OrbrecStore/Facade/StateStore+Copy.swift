internal import Foundation
internal import Glibc

/// A state moved between backends, copied to a file, and looked at whole.
extension StateStore {
    /// Every row of every copied table, from one snapshot of this state.
    package func exportState() async throws -> [StateTable] { try await backend.exportState() }

    /// Writes `tables` into this state, which must hold nothing but its own id (`StateCopyRefused`).
    package func importState(_ tables: [StateTable]) async throws { try await backend.importState(tables) }

    /// How many rows each copied table holds.
    package func rowCounts() async throws -> [String: Int] { try await backend.rowCounts() }

    /// The last migration applied to this state.
    package func schemaVersion() async throws -> String { try await backend.schemaVersion() }

    /// Copies this state into `target`, keeping its id: every row of every copied table from
    /// one snapshot of this state, written in one transaction of the target's, then counted
    /// there. Returns what was copied.
    package func copy(into target: StateStore) async throws -> [StateTable] {
        let tables = try await backend.exportState()
        try await target.backend.importState(tables)
        let counts = try await target.backend.rowCounts()
        for table in tables where counts[table.name] != table.rows.count {
            throw StateCopyInvalid(reason: "after the copy, \(table.name) of \(target.path) holds \(counts[table.name] ?? 0) rows, "
                + "not the \(table.rows.count) copied")
        }
        return tables
    }

    /// Writes a copy of this state to a new SQLite state file at `path`, whatever this
    /// state's backend. An existing file is refused; a copy that fails leaves no file.
    package func backup(toFile path: String) async throws {
        if FileManager.default.fileExists(atPath: path) {
            throw StateCopyRefused(target: path, reason: "already exists, and a backup is written only to a new file")
        }
        do {
            try await backend.backup(toFile: path)
        } catch {
            for leftover in ["", "-wal", "-shm", "-journal", ".new", ".new-wal", ".new-shm", ".open-lock"] { unlink(path + leftover) }
            throw error
        }
    }
}
