/// A slurm scheduler's `ssh` block: the cluster's login node, reached with OpenSSH, where
/// every Slurm command of the scheduler runs. Only paths are held, never key material.
public struct SSHSettings: Hashable, Sendable, Codable {
    public var host: String
    public var port: Int
    public var user: String
    /// The private key's path (`ssh -i`); the key itself is never read by orbrec.
    public var identityFile: String
    /// The known-hosts file the host's key is checked against (`StrictHostKeyChecking=yes`):
    /// orbrec never learns a host key by itself.
    public var knownHostsFile: String
    /// The multiplexed connection's socket; nil is one per scheduler beside the state.
    public var controlPath: String?
    /// Where orbrec installs its runner on the cluster; nil is `~/.orbrec/runner-<version>`.
    public var remoteRunnerPath: String?
    /// Where attempts' manifests, outputs and results live on the cluster (a file system
    /// the compute nodes share); nil is `~/.orbrec/<owner>/<scheduler>`.
    public var remoteDirectory: String?

    public init(host: String, port: Int = defaultPort, user: String, identityFile: String, knownHostsFile: String,
                controlPath: String? = nil, remoteRunnerPath: String? = nil, remoteDirectory: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.identityFile = identityFile
        self.knownHostsFile = knownHostsFile
        self.controlPath = controlPath
        self.remoteRunnerPath = remoteRunnerPath
        self.remoteDirectory = remoteDirectory
    }

    public static let defaultPort = 22

    /// `user@host:port`, for messages and the outputs' recorded location.
    public var destination: String { "\(user)@\(host):\(port)" }
}
