internal import Foundation
internal import GRDB
internal import Glibc

/// A SQLite state as whole tables, for a copy into another backend, and a copy of it as a
/// file (`VACUUM INTO`).
extension SQLiteBackend {
    /// Every copied table in one read transaction (one snapshot), rows in insertion order (rowid).
    package func exportState() async throws -> [StateTable] {
        try await read { db in
            try StateTables.checkKnown(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
            return try StateTables.names.map { name in
                let columns = try db.columns(in: name).map(\.name)
                let list = columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
                var rows: [StateRow] = []
                let cursor = try Row.fetchCursor(db, sql: "SELECT \(list) FROM \(name.quotedDatabaseIdentifier) ORDER BY rowid")
                while let row = try cursor.next() {
                    rows.append(StateRow(row.databaseValues.map(Self.stateValue)))
                }
                return StateTable(name: name, columns: columns, rows: rows)
            }
        }
    }

    package func importState(_ tables: [StateTable]) async throws {
        try StateTables.validate(tables)
        let (path, stateID) = (path, stateID)
        try await write { db in
            var occupied: [String] = []
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM meta WHERE key <> ?)", arguments: [StateTables.stateIDKey]) == true {
                occupied.append("meta")
            }
            for name in StateTables.names where name != "meta" {
                if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(name.quotedDatabaseIdentifier))") == true { occupied.append(name) }
            }
            guard occupied.isEmpty else { throw StateCopyRefused(target: path, stateID: stateID, occupied: occupied) }
            // The state id is the source's: every machine and job carries it as its owner tag.
            try db.execute(sql: "DELETE FROM meta")
            for table in StateTables.ordered(tables) {
                let own = Set(try db.columns(in: table.name).map(\.name))
                let kept = table.columns.indices.filter { own.contains(table.columns[$0]) }
                guard !kept.isEmpty, !table.rows.isEmpty else { continue }
                let statement = try db.makeStatement(sql: "INSERT INTO \(table.name.quotedDatabaseIdentifier) ("
                    + kept.map { table.columns[$0].quotedDatabaseIdentifier }.joined(separator: ", ") + ") VALUES ("
                    + kept.map { _ in "?" }.joined(separator: ", ") + ")")
                for row in table.rows {
                    try statement.execute(arguments: StatementArguments(kept.map { Self.databaseValue(row.values[$0]) }))
                }
            }
        }
    }

    package func rowCounts() async throws -> [String: Int] {
        try await read { db in
            var counts: [String: Int] = [:]
            for name in StateTables.names {
                counts[name] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(name.quotedDatabaseIdentifier)") ?? 0
            }
            return counts
        }
    }

    package func schemaVersion() async throws -> String {
        try await read { db in try StateMigrations.migrator.appliedMigrations(db).last ?? "" }
    }

    /// `VACUUM INTO`: one statement, one snapshot, whatever writes meanwhile. The file is made
    /// first, private (0600) and exclusively, so an existing file is never written over. The
    /// copy keeps no lock: whoever holds the state's does not hold its copy.
    package func backup(toFile path: String) async throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateFileRefused(path: path, reason: "cannot be created (\(String(cString: strerror(errno))))") }
        Glibc.close(fd)
        // VACUUM runs outside a transaction, and GRDB's readers are read-only connections.
        try await writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
        let copy = try DatabaseQueue(path: path)
        try await copy.write { db in try db.execute(sql: "DELETE FROM locks") }
        try copy.close()
    }

    private static func stateValue(_ value: DatabaseValue) -> StateValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .real(number)
        case .string(let text): .text(text)
        case .blob(let data): .blob(data)
        }
    }

    private static func databaseValue(_ value: StateValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let number): number.databaseValue
        case .real(let number): number.databaseValue
        case .text(let text): text.databaseValue
        case .blob(let data): data.databaseValue
        }
    }
}
