public import OrbrecCore
internal import Foundation

/// What ssh's exit status 255 meant (ssh's own failure, never the remote command's), read from
/// what ssh printed: a plain reason for the scheduler's status, and whether the remote command
/// can have run at all.
public struct SSHFailure: Sendable, Hashable {
    public enum Reason: String, Sendable, Hashable {
        /// The server's key differs from the known-hosts file's: refused, maybe an attack.
        case hostKeyChanged = "ssh-host-key-changed"
        /// The known-hosts file has no key for the server: refused, orbrec never learns one.
        case hostKeyUnknown = "ssh-host-key-unknown"
        /// The server refused the key.
        case authenticationRefused = "ssh-authentication-refused"
        /// No connection could be made (refused, timed out, no route, unknown name).
        case noConnection = "ssh-no-connection"
        /// The connection broke or ended while a command may have been running.
        case connectionLost = "ssh-connection-lost"
    }

    public var reason: Reason
    public var message: String

    /// Whether the remote command cannot have started: ssh failed before it asked for a session.
    public var commandNeverSent: Bool { reason != .connectionLost }

    /// Reads ssh's stderr. `connection` names the host, port and files in the message.
    public init(stderr: String, connection: SSHConnection) {
        let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let server = "\(connection.host) port \(connection.port)"
        func has(_ text: String) -> Bool { lines.contains { $0.contains(text) } }
        if has("REMOTE HOST IDENTIFICATION HAS CHANGED") || has("Host key for") && has("has changed") {
            reason = .hostKeyChanged
            message = "the host key of \(server) does not match the one in \(connection.knownHostsFile): refused. "
                + "If the cluster's key really changed, replace its line there (checked against the key the cluster publishes); "
                + "otherwise someone may be in the middle of the connection"
        } else if has("host key is known for") || has("Host key verification failed") {
            reason = .hostKeyUnknown
            message = "\(connection.knownHostsFile) has no host key for \(server): refused (orbrec never accepts an unknown key). "
                + "Add the cluster's key there, e.g. from ssh-keyscan -p \(connection.port) \(connection.host), checked against its published fingerprint"
        } else if has("Permission denied") {
            reason = .authenticationRefused
            message = "\(server) refused \(connection.user)'s key \(connection.identityFile) (\(Self.last(lines, containing: "Permission denied")))"
        } else if lines.contains(where: { $0.hasPrefix("ssh: connect to host") || $0.hasPrefix("ssh: Could not resolve hostname") }) {
            reason = .noConnection
            message = "cannot connect to \(server): \(Self.last(lines, containing: "ssh: "))"
        } else {
            reason = .connectionLost
            message = "the connection to \(server) failed" + (lines.last.map { ": \($0)" } ?? "")
        }
    }

    static func last(_ lines: [String], containing text: String) -> String {
        let line = lines.last { $0.contains(text) } ?? ""
        return line.hasPrefix("ssh: ") ? String(line.dropFirst(5)) : line
    }

    /// The scheduler's error, coded by the reason (what the scheduler's unreachable status
    /// shows); always retried, since a host key put right or a server back ends it.
    public var error: ProviderError {
        ProviderError(code: reason.rawValue, message: message, retryable: true)
    }
}
