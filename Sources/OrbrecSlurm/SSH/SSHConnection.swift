/// How every command of one scheduler reaches its cluster: OpenSSH with host keys checked
/// against the configured known-hosts file only, no prompt ever (BatchMode), and one
/// multiplexed connection per scheduler that later commands reuse (ControlMaster), kept 60 s
/// after its last use. Paths here are as ssh is given them (made absolute by the wiring).
public struct SSHConnection: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    public var identityFile: String
    public var knownHostsFile: String
    public var controlPath: String
    /// How long to wait for the connection to be made, and for a silent server (alive
    /// checks every `aliveInterval` seconds, three missed end it).
    public var connectTimeoutSeconds = 10
    public var aliveIntervalSeconds = 5

    public init(host: String, port: Int, user: String, identityFile: String, knownHostsFile: String, controlPath: String) {
        self.host = host
        self.port = port
        self.user = user
        self.identityFile = identityFile
        self.knownHostsFile = knownHostsFile
        self.controlPath = controlPath
    }

    /// `user@host:port`, for messages.
    public var destination: String { "\(user)@\(host):\(port)" }

    /// ssh's options, the same for every command so that they all share the one connection.
    var options: [String] {
        [
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=yes",
            "-o", "UserKnownHostsFile=\(knownHostsFile)",
            // The user's global known-hosts file is not a second source of trust.
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes",
            "-o", "ControlMaster=auto",
            "-o", "ControlPath=\(controlPath)",
            "-o", "ControlPersist=60",
            "-o", "ConnectTimeout=\(connectTimeoutSeconds)",
            "-o", "ServerAliveInterval=\(aliveIntervalSeconds)",
            "-o", "ServerAliveCountMax=3",
            "-p", String(port),
            "-i", identityFile,
        ]
    }

    /// The local argv that runs `remote` on the cluster, byte for byte: ssh's options, the
    /// destination, then the remote argv as one shell line (`RemoteShell`). Nil when an
    /// element holds NUL.
    public func argv(_ remote: [String]) -> [String]? {
        guard let line = RemoteShell.line(remote) else { return nil }
        return ["ssh"] + options + ["\(user)@\(host)", "--", line]
    }

    /// `ssh -O exit`: closes the shared connection (the next command opens a new one).
    public var closeArgv: [String] {
        ["ssh"] + options + ["-O", "exit", "\(user)@\(host)"]
    }
}
