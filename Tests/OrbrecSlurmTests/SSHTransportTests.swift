import Foundation
import OrbrecCore
@testable import OrbrecSlurm
import Testing

/// The SSH command path against the real sshd scripts/test.sh starts (scripts/lib/sshd.sh):
/// argv reaches the far side byte for byte, ssh's own failures are told apart, and the files
/// kept on the cluster are written, read and installed through it.
@Suite(.serialized) struct SSHTransportTests {
    struct Server {
        var host: String, port: Int, user: String, key: String, knownHosts: String, wrongKnownHosts: String, control: String

        func connection(knownHosts: String? = nil, key: String? = nil, port: Int? = nil, socket: String = "cp") -> SSHConnection {
            SSHConnection(host: host, port: port ?? self.port, user: user, identityFile: key ?? self.key,
                          knownHostsFile: knownHosts ?? self.knownHosts, controlPath: control + "/" + socket)
        }
    }

    static func server() throws -> Server {
        let environment = ProcessInfo.processInfo.environment
        let host = try #require(environment["ORBREC_TEST_SSH_HOST"], "no sshd: run the tests with scripts/test.sh, which starts one")
        let control = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-ssh-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: control, withIntermediateDirectories: true)
        return Server(host: host, port: Int(try #require(environment["ORBREC_TEST_SSH_PORT"])) ?? 0,
                      user: try #require(environment["ORBREC_TEST_SSH_USER"]), key: try #require(environment["ORBREC_TEST_SSH_KEY"]),
                      knownHosts: try #require(environment["ORBREC_TEST_SSH_KNOWN_HOSTS"]),
                      wrongKnownHosts: try #require(environment["ORBREC_TEST_SSH_WRONG_KNOWN_HOSTS"]), control: control)
    }

    /// Each argument as the far side received it, in hex, one a line: the far side's bytes.
    static let echoScript = #"for a do printf %s "$a" | od -An -v -tx1 | tr -d ' \n'; echo .; done"#

    static func hex(_ text: String) -> String { text.utf8.map { String(format: "%02x", $0) }.joined() + "." }

    static let hostile: [String] = [
        "", " ", "  two  spaces  ", "'", "''", "\"", "\\", "\\'", "'\\''", "$HOME", "${HOME}", "$(id)", "`id`", "; rm -rf /tmp/x",
        "a && b || c", "| cat", "> /tmp/out", "< /etc/passwd", "*", "?", "[a-z]", "{a,b}", "~", "~root", "-n", "--", "-e \\n",
        "A=b", "!", "!!", "#comment", "line\nbreak", "tab\there", "\r", "\u{1b}[31mred", "é ü 中文 🚀", "%s%n%x", "\\\\n",
        "a'b\"c$d`e\\f", String(repeating: "x'y", count: 2000), "\u{7f}", "trailing\\", "\n", "'$(touch /tmp/orbrec-pwned)'",
    ]

    static func randomWord(_ generator: inout SystemRandomNumberGenerator) -> String {
        let alphabet = Array(" \t\n'\"\\$`!*?[]{}()<>|&;#~=%^-_.,:/@+aZ09é中🚀\r\u{1}\u{7f}")
        return String((0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
    }

    @Test func everyArgumentArrivesByteForByte() async throws {
        let server = try Self.server()
        let path = SlurmCommandPath(route: .ssh(server.connection()))
        defer { Task { await path.closeConnection() } }
        var generator = SystemRandomNumberGenerator()
        var words = Self.hostile
        for _ in 0..<300 { words.append(Self.randomWord(&generator)) }
        var checked = 0
        for start in stride(from: 0, to: words.count, by: 25) {
            let batch = Array(words[start..<min(words.count, start + 25)])
            let output = try await path.run(["sh", "-c", Self.echoScript, "sh"] + batch)
            #expect(output.status == 0, "\(output.stderr)")
            let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
            #expect(lines == batch.map(Self.hex), "batch at \(start): \(batch.map { $0.debugDescription })")
            checked += lines.count
        }
        #expect(checked == words.count)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/orbrec-pwned"))
    }

    @Test func theProgramItselfIsQuotedToo() async throws {
        let server = try Self.server()
        let path = SlurmCommandPath(route: .ssh(server.connection()))
        defer { Task { await path.closeConnection() } }
        // A word with a space is one program name, not a command and its argument.
        do {
            let output = try await path.run(["echo hello"])
            Issue.record("ran as a shell line: \(output)")
        } catch {
            #expect(error.code == "slurm-unavailable" && error.message.contains("echo hello is not installed"), "\(error)")
        }
    }

    @Test func aChangedHostKeyIsRefusedAndSaysSo() async throws {
        let server = try Self.server()
        let path = SlurmCommandPath(route: .ssh(server.connection(knownHosts: server.wrongKnownHosts, socket: "wrong")))
        do {
            _ = try await path.run(["true"])
            Issue.record("a changed host key was accepted")
        } catch {
            #expect(error.code == SSHFailure.Reason.hostKeyChanged.rawValue)
            #expect(error.message.contains("does not match") && error.message.contains(server.wrongKnownHosts), "\(error.message)")
        }
    }

    @Test func anUnknownHostKeyIsRefused() async throws {
        let server = try Self.server()
        let empty = server.control + "/empty_known_hosts"
        FileManager.default.createFile(atPath: empty, contents: Data())
        let path = SlurmCommandPath(route: .ssh(server.connection(knownHosts: empty, socket: "empty")))
        do {
            _ = try await path.run(["true"])
            Issue.record("an unknown host key was accepted")
        } catch {
            #expect(error.code == SSHFailure.Reason.hostKeyUnknown.rawValue, "\(error)")
            #expect(error.message.contains("no host key"), "\(error.message)")
        }
    }

    @Test func aRefusedKeyAndAClosedPortAreToldApart() async throws {
        let server = try Self.server()
        // Any other key: sshd's own host key is not in authorized_keys.
        let other = (server.wrongKnownHosts as NSString).deletingLastPathComponent + "/other_host_key"
        do {
            _ = try await SlurmCommandPath(route: .ssh(server.connection(key: other, socket: "key"))).run(["true"])
            Issue.record("a foreign key was accepted")
        } catch {
            #expect(error.code == SSHFailure.Reason.authenticationRefused.rawValue, "\(error)")
            #expect(!error.message.contains("PRIVATE KEY"), "no key material in messages")
        }
        // A port nothing listens on (sshd's own port + 1 is free on these machines more often than not; any refusal will do).
        let closed = try Self.closedPort()
        do {
            _ = try await SlurmCommandPath(route: .ssh(server.connection(port: closed, socket: "closed"))).run(["true"])
            Issue.record("connected to a closed port")
        } catch {
            #expect(error.code == SSHFailure.Reason.noConnection.rawValue, "\(error)")
            #expect(SSHFailure(stderr: "ssh: connect to host x port 1: Connection refused", connection: server.connection()).commandNeverSent)
        }
    }

    /// A loopback port that was free a moment ago.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func theRemoteCommandsOwnExitStatusIsNotAnSSHFailure() async throws {
        let server = try Self.server()
        let path = SlurmCommandPath(route: .ssh(server.connection()))
        defer { Task { await path.closeConnection() } }
        let output = try await path.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(output.status == 3 && output.stdout == "out\n" && output.stderr.contains("err"))
    }

    @Test func clusterFilesAreWrittenReadAndTheRunnerInstalledOnceByChecksum() async throws {
        let server = try Self.server()
        let path = SlurmCommandPath(route: .ssh(server.connection()))
        defer { Task { await path.closeConnection() } }
        let base = server.control + "/remote"
        // A stand-in runner: any file; the cluster's copy must come to have its checksum.
        let runner = server.control + "/runner-src"
        try Data("#!/bin/sh\necho first\n".utf8).write(to: URL(fileURLWithPath: runner))
        let settings = SSHSettings(host: server.host, port: server.port, user: server.user, identityFile: server.key,
                                   knownHostsFile: server.knownHosts, remoteRunnerPath: base + "/bin/runner", remoteDirectory: base + "/files")
        let files = ClusterFiles(connection: server.connection(), settings: settings, schedulerName: "hpc", localRunner: runner, version: "test")
        #expect(try await files.layout(owner: "state-1").runner == base + "/bin/runner")
        #expect(!FileManager.default.fileExists(atPath: base + "/bin/runner"), "reading installs nothing")
        let layout = try await files.layoutWithRunner(owner: "state-1")
        #expect(layout.runner == base + "/bin/runner" && layout.root == base + "/files" && layout.home.hasPrefix("/"))
        #expect(try String(contentsOfFile: layout.runner, encoding: .utf8) == "#!/bin/sh\necho first\n")
        #expect(FileManager.default.isExecutableFile(atPath: layout.runner))
        // A file written with hostile bytes and name reads back the same; a missing one is absent.
        let name = base + "/files/it's a \"key\"/$(x)/1.result.json"
        let bytes = Array("{\"a\":\"\\n'$`\"}\n\u{0}\u{ff}".utf8) + [0, 255, 10]
        try await files.write(bytes, to: name)
        let read = try await files.read([name, base + "/files/missing", name])
        #expect(read[name] == bytes && read[base + "/files/missing"] == nil)
        let results = try await files.results(under: base + "/files")
        #expect(Array(results.keys) == [name])
        // orbrec changed (another build): a new process replaces the copy; the same one does not copy again.
        try Data("#!/bin/sh\necho second\n".utf8).write(to: URL(fileURLWithPath: runner))
        _ = try await files.layoutWithRunner(owner: "state-1")
        #expect(try String(contentsOfFile: layout.runner, encoding: .utf8) == "#!/bin/sh\necho first\n", "cached for this process")
        let again = ClusterFiles(connection: server.connection(), settings: settings, schedulerName: "hpc", localRunner: runner, version: "test")
        _ = try await again.layoutWithRunner(owner: "state-1")
        #expect(try String(contentsOfFile: layout.runner, encoding: .utf8) == "#!/bin/sh\necho second\n")
        // The default places: under the login's home, named by version, state and scheduler.
        let defaults = ClusterFiles(connection: server.connection(), settings: SSHSettings(host: server.host, user: server.user, identityFile: server.key,
                                                                      knownHostsFile: server.knownHosts),
                                    schedulerName: "hpc", localRunner: runner, version: "9.9.9-test")
        #expect(await defaults.configuredRunner == ".orbrec/runner-9.9.9-test")
        #expect(await defaults.configuredRoot(owner: "abc") == ".orbrec/abc/hpc")
    }
}
