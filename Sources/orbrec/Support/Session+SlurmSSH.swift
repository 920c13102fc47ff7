internal import OrbrecCore
internal import OrbrecSlurm
internal import Foundation

extension Session {
    /// The connection of a slurm scheduler with `ssh`: the key and known-hosts file taken from
    /// the configuration directory when relative (`~/` is left for ssh to expand), and the
    /// multiplexed connection's socket in `<state dir>/ssh/` unless the spec names one. Nil for
    /// a scheduler without `ssh`.
    static func sshConnection(for spec: SchedulerSpec, configuration: String, stateDirectory: String) -> SSHConnection? {
        guard let ssh = spec.ssh else { return nil }
        func resolved(_ path: String) -> String {
            if path.hasPrefix("/") || path.hasPrefix("~") { return path }
            return ((StateLocation.absolute(configuration) as NSString).appendingPathComponent(path) as NSString).standardizingPath
        }
        return SSHConnection(host: ssh.host, port: ssh.port, user: ssh.user, identityFile: resolved(ssh.identityFile),
                             knownHostsFile: resolved(ssh.knownHostsFile),
                             controlPath: ssh.controlPath ?? defaultControlPath(scheduler: spec.name, stateDirectory: stateDirectory))
    }

    /// `<state dir>/ssh/<scheduler>`, in a directory only its owner may enter; a socket's path
    /// holds at most about 90 bytes, so a deep state directory gets one under /tmp instead,
    /// named by a hash of the path it would have had.
    static func defaultControlPath(scheduler: String, stateDirectory: String) -> String {
        let directory = StateLocation.absolute(stateDirectory) + "/ssh"
        var path = directory + "/" + scheduler
        var parent = directory
        if path.utf8.count > 90 {
            parent = NSTemporaryDirectory().hasPrefix("/") && NSTemporaryDirectory().utf8.count < 40
                ? (NSTemporaryDirectory() as NSString).appendingPathComponent("orbrec-ssh-\(getuid())") : "/tmp/orbrec-ssh-\(getuid())"
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: a short, stable name; nothing secret rides on it
            for byte in path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            path = parent + "/" + String(hash, radix: 16)
        }
        makePrivateDirectory(parent)
        return path
    }

    /// orbrec's version and commit, naming the runner installed on a cluster.
    static var runnerVersion: String { BuildInfo.version + "-" + String(BuildInfo.commit.prefix(12)) }
}
