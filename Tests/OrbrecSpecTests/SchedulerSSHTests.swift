import Foundation
import OrbrecCore
import OrbrecSpec
import Testing

/// A slurm scheduler's `ssh` block: read whole with its defaults, or refused field by field
/// (corpus case 69 holds the refusals at their lines and columns).
@Suite struct SchedulerSSHTests {
    func load(_ spec: String) throws -> DesiredState {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-ssh-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ("apiVersion: orbrec/v1\nkind: Scheduler\nmetadata: {name: cluster}\nspec:\n" + spec)
            .write(toFile: directory + "/s.yaml", atomically: true, encoding: .utf8)
        return try ConfigLoader().load(directory, displayPath: "").desired
    }

    @Test func aFullBlockIsReadAsWritten() throws {
        let desired = try load("""
              type: slurm
              partition: debug
              ssh:
                host: login.example.org
                port: 2222
                user: hpc
                identityFile: keys/id_ed25519
                knownHostsFile: keys/known_hosts
                controlPath: /run/orbrec/cluster.sock
                remoteRunnerPath: /opt/orbrec/runner
                remoteDirectory: /scratch/hpc/orbrec
            """)
        let ssh = try #require(desired.schedulers["cluster"]?.ssh)
        #expect(ssh == SSHSettings(host: "login.example.org", port: 2222, user: "hpc", identityFile: "keys/id_ed25519",
                                   knownHostsFile: "keys/known_hosts", controlPath: "/run/orbrec/cluster.sock",
                                   remoteRunnerPath: "/opt/orbrec/runner", remoteDirectory: "/scratch/hpc/orbrec"))
    }

    @Test func portDefaultsTo22AndOptionalPathsStayUnset() throws {
        let desired = try load("""
              type: slurm
              ssh: {host: 10.0.0.5, user: hpc, identityFile: id, knownHostsFile: kh}
            """)
        let ssh = try #require(desired.schedulers["cluster"]?.ssh)
        #expect(ssh.port == 22 && ssh.controlPath == nil && ssh.remoteRunnerPath == nil && ssh.remoteDirectory == nil)
    }

    @Test func aSchedulerWithoutSSHHashesAsBefore() throws {
        // The hash of a slurm scheduler written before ssh existed must not change (no run of
        // its pools is started again for the upgrade): an absent block encodes to nothing.
        let desired = try load("  type: slurm\n  partition: debug\n")
        let scheduler = try #require(desired.schedulers["cluster"])
        #expect(scheduler.ssh == nil)
        var without = scheduler
        without.ssh = SSHSettings(host: "h", user: "u", identityFile: "i", knownHostsFile: "k")
        #expect(scheduler.specHash != without.specHash)
        #expect(scheduler.specHash == SchedulerSpec(metadata: scheduler.metadata, type: .slurm, partition: "debug").specHash)
    }

    @Test(arguments: [
        ("    host: \"login\\nProxyCommand x\"", "must not start with '-' or hold spaces"),
        ("    host: login\n    user: -oProxyCommand=x", "spec.ssh.user '-oProxyCommand=x' must not start with '-'"),
        ("    host: a@b", "spec.ssh.host 'a@b' must not start with '-'"),
    ])
    func hostsAndUsersSSHWouldMisreadAreRefused(_ fields: String, _ message: String) throws {
        var spec = "  type: slurm\n  ssh:\n" + fields + "\n"
        if !fields.contains("user:") { spec += "    user: hpc\n" }
        spec += "    identityFile: id\n    knownHostsFile: kh\n"
        do {
            _ = try load(spec)
            Issue.record("loaded: \(spec)")
        } catch let error as ConfigurationError {
            let rendered = error.diagnostics.map(\.rendered).joined(separator: "\n")
            #expect(rendered.contains(message), "\(rendered)")
        }
    }
}
