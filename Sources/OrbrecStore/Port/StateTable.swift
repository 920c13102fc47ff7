package import Foundation

/// One cell of a state's table in the storage classes both backends share, so a state can
/// be copied from one backend into the other without either knowing the other's types.
package enum StateValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// One row of a table: its values in the order of the table's columns.
package struct StateRow: Sendable, Hashable {
    package var values: [StateValue]

    package init(_ values: [StateValue]) { self.values = values }
}

/// A table of a state as a backend exports it: its columns as that backend has them, and
/// every row in insertion order.
package struct StateTable: Sendable, Hashable {
    package var name: String
    package var columns: [String]
    package var rows: [StateRow]

    package init(name: String, columns: [String], rows: [StateRow]) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }
}

/// The tables a copy of a state carries, parents before the tables that reference them, and
/// each one's key (how a PostgreSQL export orders a table that has no `seq`).
///
/// Not carried: `locks` (a holder of the source does not hold the copy), PostgreSQL's
/// `leader` and `journal_version` (about the daemons and processes of that database) and
/// SQLite's `task_generations` (a cache its triggers fill as tasks are inserted).
package enum StateTables {
    package static let copied: [(name: String, key: [String])] = [
        ("meta", ["key"]),
        ("resources", ["kind", "name"]),
        ("actions", ["id"]),
        ("requests", ["id"]),
        ("request_machines", ["request_id", "machine_id"]),
        ("machines", ["id"]),
        ("events", ["seq"]),
        ("tasks", ["pool", "key"]),
        ("attempts", ["pool", "key", "attempt"]),
        ("workflow_runs", ["id"]),
        ("workflow_steps", ["run_id", "step"]),
        ("workflow_step_actions", ["run_id", "step", "action_id"]),
        ("leases", ["pool", "key", "attempt"]),
        ("idempotency_keys", ["key"]),
        ("template_history", ["hash"]),
        ("machine_demands", ["id"]),
        ("machine_returns", ["machine_id"]),
        ("api_tasks", ["seq"]),
    ]

    package static var names: [String] { copied.map(\.name) }

    /// Tables a copy leaves out on purpose: the lock, the daemons' leader, the journal's
    /// version, SQLite's task cache, and each backend's own bookkeeping.
    package static let leftOut: Set<String> = [
        "locks", "leader", "journal_version", "task_generations", "orbrec_migrations", "grdb_migrations", "sqlite_sequence",
    ]

    /// Refuses to export a state that has a table neither copied nor left out on purpose (one
    /// a later migration added): a copy would lose its rows without a word.
    package static func checkKnown(_ tables: [String]) throws {
        let known = Set(names).union(leftOut)
        if let unknown = tables.filter({ !known.contains($0) && !$0.hasPrefix("sqlite_") }).sorted().first {
            throw StateCopyInvalid(reason: "the state has a table this orbrec does not know how to copy (\(unknown))")
        }
    }

    /// The only row a state that holds nothing has: its identity.
    package static let stateIDKey = "state_id"

    /// The state id the tables carry (`meta`), if any.
    package static func stateID(in tables: [StateTable]) -> String? {
        guard let meta = tables.first(where: { $0.name == "meta" }),
              let key = meta.columns.firstIndex(of: "key"), let value = meta.columns.firstIndex(of: "value") else { return nil }
        for row in meta.rows where row.values[key] == .text(stateIDKey) {
            if case .text(let id) = row.values[value] { return id }
        }
        return nil
    }

    /// Refuses tables that cannot make a state: without a state id (it would own nothing), or
    /// with a row whose values do not match its table's columns.
    package static func validate(_ tables: [StateTable]) throws {
        guard stateID(in: tables) != nil else { throw StateCopyInvalid(reason: "the tables to copy hold no state id (meta.state_id)") }
        for table in tables where table.rows.contains(where: { $0.values.count != table.columns.count }) {
            throw StateCopyInvalid(reason: "a row of \(table.name) does not have its \(table.columns.count) columns")
        }
    }

    /// The copied tables among `tables`, in the order a copy writes them (parents first);
    /// any other table is left out.
    package static func ordered(_ tables: [StateTable]) -> [StateTable] {
        names.compactMap { name in tables.first { $0.name == name } }
    }
}
