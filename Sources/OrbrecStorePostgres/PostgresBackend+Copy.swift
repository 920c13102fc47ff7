internal import Foundation
package import OrbrecStore
internal import PostgresNIO

/// A PostgreSQL state as whole tables, for a copy into another backend or another schema,
/// and a copy of it as a SQLite file.
extension PostgresBackend {
    /// Every copied table in one REPEATABLE READ snapshot, rows in insertion order: by `seq`
    /// where the table has one (events, actions, workflow runs), by key otherwise.
    package func exportState() async throws -> [StateTable] {
        try await snapshot { tx in
            try StateTables.checkKnown(try await tx.values(String.self, """
                SELECT table_name::text FROM information_schema.tables WHERE table_schema = \(schema) AND table_type = 'BASE TABLE'
                """))
            var tables: [StateTable] = []
            for (name, key) in StateTables.copied {
                let columns = try await columnTypes(tx, table: name).map(\.name)
                let order = columns.contains("seq") ? ["seq"] : key
                let rows = try await tx.rows(PostgresQuery(unsafeSQL: "SELECT " + columns.map(Self.quoted).joined(separator: ", ")
                    + " FROM " + Self.quoted(name) + " ORDER BY " + order.map(Self.quoted).joined(separator: ", ")))
                tables.append(StateTable(name: name, columns: columns,
                                         rows: try rows.map { row in StateRow(try row.map { try Self.stateValue($0, table: name) }) }))
            }
            return tables
        }
    }

    /// One transaction under the journal's lock, so no other writer of this schema comes
    /// between the check that it is empty and the rows. Rows keep their `seq`s; the
    /// identities then continue after the greatest.
    package func importState(_ tables: [StateTable]) async throws {
        try StateTables.validate(tables)
        try await write { tx in
            var occupied: [String] = []
            if try await tx.count("SELECT 1 FROM meta WHERE key <> \(StateTables.stateIDKey) LIMIT 1") > 0 { occupied.append("meta") }
            for name in StateTables.names where name != "meta" {
                if try await tx.count(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(Self.quoted(name)) LIMIT 1")) > 0 { occupied.append(name) }
            }
            guard occupied.isEmpty else { throw StateCopyRefused(target: path, stateID: stateID, occupied: occupied) }
            // The state id is the source's: every machine and job carries it as its owner tag.
            try await tx.execute("DELETE FROM meta")
            for table in StateTables.ordered(tables) {
                let types = Dictionary(try await columnTypes(tx, table: table.name).map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
                let kept = table.columns.indices.filter { types[table.columns[$0]] != nil }
                guard !kept.isEmpty, !table.rows.isEmpty else { continue }
                let head = "INSERT INTO \(Self.quoted(table.name)) (" + kept.map { Self.quoted(table.columns[$0]) }.joined(separator: ", ") + ") VALUES "
                // PostgreSQL takes at most 65,535 binds a statement.
                let perStatement = max(1, 60_000 / kept.count)
                for start in stride(from: 0, to: table.rows.count, by: perStatement) {
                    let chunk = table.rows[start..<min(start + perStatement, table.rows.count)]
                    var tuples: [String] = []
                    var values: [RowEncoder.Value] = []
                    values.reserveCapacity(chunk.count * kept.count)
                    for row in chunk {
                        let base = values.count
                        tuples.append("(" + kept.indices.map { "$\(base + $0 + 1)" }.joined(separator: ", ") + ")")
                        for index in kept {
                            let column = table.columns[index]
                            values.append(try Self.value(row.values[index], into: types[column] ?? "", column: "\(table.name).\(column)"))
                        }
                    }
                    try await tx.rows(sql: head + tuples.joined(separator: ", "), values)
                }
                if types["seq"] != nil {
                    let qualified = Self.quoted(schema) + "." + Self.quoted(table.name)
                    try await tx.execute(PostgresQuery(unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence($1, 'seq'), COALESCE(MAX(seq), 1), MAX(seq) IS NOT NULL) FROM \(qualified)
                        """, binds: Self.bindings([qualified])))
                }
            }
        }
    }

    /// One statement, so one snapshot.
    package func rowCounts() async throws -> [String: Int] {
        let names = StateTables.names
        let sql = "SELECT " + names.map { "(SELECT COUNT(*) FROM \(Self.quoted($0)))" }.joined(separator: ", ")
        let counts = try await read { tx -> [Int64] in
            guard let row = try await tx.rows(PostgresQuery(unsafeSQL: sql)).first else { return [] }
            return try row.map { try $0.decode(Int64.self) }
        }
        return Dictionary(uniqueKeysWithValues: zip(names, counts.map { Int($0) }))
    }

    package func schemaVersion() async throws -> String {
        let applied = Set(try await read { tx in try await tx.values(String.self, "SELECT version FROM orbrec_migrations") })
        return PostgresMigrations.migrations.map(\.name).last(where: applied.contains) ?? ""
    }

    /// The same export as a copy between backends, into a new SQLite state.
    package func backup(toFile path: String) async throws {
        let file = try StateStore(path: path)
        _ = try await StateStore(backend: self).copy(into: file)
    }

    /// This schema's columns of `table`, in order, with their types as information_schema names them.
    private func columnTypes(_ tx: StateTransaction, table: String) async throws -> [(name: String, type: String)] {
        try await tx.rows("""
            SELECT column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = \(schema) AND table_name = \(table) ORDER BY ordinal_position
            """).map { try $0.decode((String, String).self) }
    }

    private static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func bindings(_ texts: [String]) -> PostgresBindings {
        var bindings = PostgresBindings()
        for text in texts { bindings.append(text) }
        return bindings
    }

    /// A cell in the storage classes both backends share (a boolean as SQLite keeps one, 0 or 1).
    private static func stateValue(_ cell: PostgresCell, table: String) throws -> StateValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8: return .integer(try cell.decode(Int64.self))
        case .int4: return .integer(Int64(try cell.decode(Int32.self)))
        case .int2: return .integer(Int64(try cell.decode(Int16.self)))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .float8: return .real(try cell.decode(Double.self))
        case .float4: return .real(Double(try cell.decode(Float.self)))
        case .bytea: return .blob(try cell.decode(Data.self))
        case .text, .varchar, .bpchar, .name: return .text(try cell.decode(String.self))
        default:
            throw StateCopyInvalid(reason: "\(table).\(cell.columnName) is of type \(cell.dataType), which a copy does not carry")
        }
    }

    /// A value for a column of `type`, SQLite's loose typing made strict: a number kept in a
    /// text column becomes its text, a boolean column takes 0 or 1.
    private static func value(_ value: StateValue, into type: String, column: String) throws -> RowEncoder.Value {
        switch (value, type) {
        case (.null, _): return .null
        case (.integer(let number), "bigint"), (.integer(let number), "integer"), (.integer(let number), "smallint"): return .integer(number)
        case (.integer(let number), "boolean"): return .boolean(number != 0)
        case (.integer(let number), "double precision"), (.integer(let number), "real"): return .real(Double(number))
        case (.real(let number), "double precision"), (.real(let number), "real"): return .real(number)
        case (.integer(let number), "text"), (.integer(let number), "character varying"): return .text(String(number))
        case (.real(let number), "text"), (.real(let number), "character varying"): return .text(String(number))
        case (.text(let text), "text"), (.text(let text), "character varying"): return .text(text)
        case (.text(let text), "bigint"), (.text(let text), "integer"), (.text(let text), "smallint"):
            guard let number = Int64(text) else { break }
            return .integer(number)
        case (.blob(let data), "bytea"): return .bytes(data)
        case (.text(let text), "bytea"): return .bytes(Data(text.utf8))
        case (.blob(let data), "text"), (.blob(let data), "character varying"):
            guard let text = String(data: data, encoding: .utf8) else { break }
            return .text(text)
        default: break
        }
        throw StateCopyInvalid(reason: "\(column) is \(type) here, and a value \(value.kind) does not fit it")
    }
}

extension StateValue {
    fileprivate var kind: String {
        switch self {
        case .null: "null"
        case .integer(let number): "integer \(number)"
        case .real(let number): "real \(number)"
        case .text: "of text"
        case .blob(let data): "of \(data.count) bytes"
        }
    }
}
