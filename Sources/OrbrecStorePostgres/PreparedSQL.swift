internal import PostgresNIO

/// A statement of the hot path, prepared once per connection and then only bound and run
/// (`StateTransaction.rows(_:_:)`). Planning is what a short statement costs the server most:
/// half a millisecond for a task batch's CTE, more than running it for one task. The
/// parameters are bound as `types` say (`RowEncoder.Value`: `.text` is text, `.integer`
/// int8), and a `jsonb` batch is text cast in the statement (`$1::jsonb`).
protocol PreparedSQL {
    static var sql: String { get }
    static var types: [PostgresDataType] { get }
}

/// postgres-nio's prepared statement for a `PreparedSQL`, named after it: by its type's own
/// name, unique in this module, as the server keeps 63 bytes of a name.
struct Prepared<Statement: PreparedSQL>: PostgresPreparedStatement {
    static var name: String { "orbrec_" + String(describing: Statement.self) }
    static var sql: String { Statement.sql }
    static var bindingDataTypes: [PostgresDataType] { Statement.types }

    var bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
