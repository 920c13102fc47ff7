import OrbrecSlurm
import Testing

/// The one quoting function on its own: what it leaves bare, what it quotes and how. Its proof
/// against a real shell behind a real sshd is SSHTransportTests.
struct RemoteShellTests {
    @Test(arguments: [
        ("sbatch", "sbatch"), ("--parsable", "--parsable"), ("/home/u/.orbrec/runner-0.1.0", "/home/u/.orbrec/runner-0.1.0"),
        ("user@host:22", "user@host:22"), ("50%", "50%"), ("a,b+c", "a,b+c"),
    ])
    func wordsAShellTakesLiterallyStayBare(_ word: String, _ expected: String) {
        #expect(RemoteShell.quote(word) == expected)
    }

    @Test(arguments: [
        ("", "''"), ("a b", "'a b'"), ("--comment=orbrec:1:x", "'--comment=orbrec:1:x'"), ("~", "'~'"), ("*", "'*'"),
        ("$(id)", "'$(id)'"), ("`id`", "'`id`'"), ("it's", "'it'\\''s'"), ("'", "''\\'''"), ("a\nb", "'a\nb'"),
        ("A=b", "'A=b'"), ("!x", "'!x'"), ("back\\slash", "'back\\slash'"), ("é", "'é'"),
    ])
    func everythingElseIsSingleQuoted(_ word: String, _ expected: String) {
        #expect(RemoteShell.quote(word) == expected)
    }

    @Test func aNulByteCannotBeCarried() {
        #expect(RemoteShell.quote("a\u{0}b") == nil)
        #expect(RemoteShell.line(["printf", "a\u{0}"]) == nil)
    }

    @Test func aLineIsTheQuotedWordsJoinedBySpaces() {
        #expect(RemoteShell.line(["scancel", "12_3"]) == "scancel 12_3")
        #expect(RemoteShell.line(["sh", "-c", "echo \"$1\"", "sh", "x y"]) == "sh -c 'echo \"$1\"' sh 'x y'")
    }

    @Test func theSSHArgvPutsTheRemoteLineLastAfterTheDestination() throws {
        let connection = SSHConnection(host: "127.0.0.1", port: 2222, user: "hpc", identityFile: "/k/id", knownHostsFile: "/k/kh",
                                       controlPath: "/s/cp")
        let argv = try #require(connection.argv(["squeue", "-o", "%i|%k"]))
        #expect(argv.first == "ssh")
        #expect(argv.suffix(3) == ["hpc@127.0.0.1", "--", "squeue -o '%i|%k'"])
        for option in ["BatchMode=yes", "StrictHostKeyChecking=yes", "UserKnownHostsFile=/k/kh", "ControlMaster=auto",
                       "ControlPath=/s/cp", "ControlPersist=60"] {
            #expect(argv.contains(option), "\(option) in \(argv)")
        }
        #expect(argv.contains("-i") && argv.contains("/k/id") && argv.contains("2222"))
    }
}
