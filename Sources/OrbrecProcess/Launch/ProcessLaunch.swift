/// What to start: an argv (never a shell line), its environment, directory and standard
/// descriptors, and where it stands among process groups. The same description serves a child
/// orbrec waits for (`ChildProcess`) and one it leaves running (`DetachedProcess`).
public struct ProcessLaunch: Sendable {
    public var argv: [String]
    /// Nil: orbrec's own environment. A bare program name is looked up in this environment's
    /// PATH (or orbrec's, when it has none), as a shell would for the command.
    public var environment: [String: String]?
    public var workingDirectory: String?
    public var stdin: Input
    public var stdout: Output
    public var stderr: Output
    public var grouping: Grouping
    /// Descriptors of orbrec handed to the child under fixed numbers (child number: orbrec's
    /// descriptor), e.g. `[3: lock]`. Every other descriptor above stderr is closed in the child.
    public var descriptors: [Int32: Int32]

    public enum Input: Sendable {
        /// /dev/null.
        case null
        /// These bytes, then end of file (`ChildProcess` only).
        case bytes([UInt8])
        /// A descriptor of orbrec's (a pipe's read end, say).
        case descriptor(Int32)
    }

    public enum Output: Sendable {
        /// /dev/null.
        case discard
        /// Read into memory, at most `limit` bytes kept; the rest is read and dropped so the
        /// child never blocks on a full pipe (`ChildProcess` only).
        case capture(limit: Int)
        /// A file, appended to or truncated first.
        case file(String, append: Bool = true, permissions: UInt32 = 0o640)
        /// A descriptor of orbrec's (a pipe's write end, say).
        case descriptor(Int32)
        /// Where stdout goes (for stderr only).
        case stdout
    }

    public enum Grouping: Sendable {
        /// orbrec's own process group: a terminal's Ctrl-C reaches it too.
        case inherit
        /// A process group of its own in orbrec's session: signals go to the whole group.
        case processGroup
        /// A session of its own: it outlives orbrec's terminal and is signalled as a group.
        case session
    }

    public init(_ argv: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
                stdin: Input = .null, stdout: Output = .discard, stderr: Output = .discard,
                grouping: Grouping = .processGroup, descriptors: [Int32: Int32] = [:]) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.grouping = grouping
        self.descriptors = descriptors
    }
}
