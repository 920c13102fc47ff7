internal import OrbrecStore
internal import PostgresNIO
internal import NIOSSL

/// PostgreSQL's errors, as the rest of orbrec sees them: a lost or refused connection, or a
/// server that cannot work, is `StateUnavailable` (a failure of the state); what a body threw
/// itself (`StaleLease`, `MachineGone`) passes through unchanged; anything else the server
/// refused keeps its SQLSTATE and message. postgres-nio's own descriptions are generic on
/// purpose (they may hold a query's data), so the message is taken from the server's answer.
enum PostgresFailure {
    static func map(_ error: any Error, url: PostgresStateURL? = nil) -> any Error {
        if error is StateUnavailable { return error }
        if let transaction = error as? PostgresTransactionError {
            return map(transaction.closureError ?? transaction.commitError ?? transaction.beginError ?? error, url: url)
        }
        guard let psql = error as? PSQLError else { return error }
        let place = url.map { " at \($0.host):\($0.port)" } ?? ""
        if let server = psql.serverInfo {
            let state = server[.sqlState] ?? ""
            let message = server[.message] ?? "an error"
            // Classes 08 (connection), 53 (resources), 57P (shutdown), 58 (system) and XX
            // (internal) are the server's trouble, not the request's.
            if state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") || state.hasPrefix("58") || state.hasPrefix("XX") {
                return StateUnavailable("PostgreSQL\(place) cannot serve the state: \(message) (SQLSTATE \(state))")
            }
            if state == "28P01" || state == "28000" {
                return StateUnavailable("PostgreSQL\(place) refused the login: \(message) (SQLSTATE \(state))")
            }
            return PostgresStateError(sqlState: state, message: message)
        }
        if psql.code == .authMechanismRequiresPassword {
            return StateUnavailable("PostgreSQL\(place) asks for a password and none was given (in the URL, PGPASSWORD or .pgpass)")
        }
        if let tls = psql.underlying as? NIOSSLError, case .handshakeFailed = tls {
            let mode = url.map { " (sslmode=\($0.sslMode.rawValue)\($0.sslRootCert.map { ", sslrootcert=\($0)" } ?? ""))" } ?? ""
            return StateUnavailable("PostgreSQL\(place) failed the TLS handshake\(mode): its certificate was not accepted "
                                    + "or no common protocol was found: \(tls)")
        }
        let cause = psql.underlying.map { " (\($0))" } ?? ""
        return StateUnavailable("PostgreSQL\(place) cannot be reached: \(psql.code)\(cause)")
    }
}

/// A statement the server refused for a reason of its own: a constraint, a type.
struct PostgresStateError: Error, CustomStringConvertible {
    var sqlState: String
    var message: String
    var description: String { "PostgreSQL refused a statement: \(message) (SQLSTATE \(sqlState))" }
}
