/// How a child that orbrec waited for ended, with what it wrote when its output was captured.
public struct ChildExit: Sendable, Hashable {
    public enum Termination: Sendable, Hashable {
        case exited(Int32)
        case signaled(Int32)
        /// Reaped by someone else before orbrec saw how it ended.
        case unseen
    }

    public var termination: Termination
    /// Stopped by orbrec at its timeout (then `termination` says by which signal, or how it
    /// exited if it handled TERM).
    public var timedOut: Bool
    public var stdout: CapturedOutput
    public var stderr: CapturedOutput

    /// The exit code, or 128 + the signal as a shell reports it; -1 when unseen.
    public var status: Int32 {
        switch termination {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        case .unseen: -1
        }
    }

    public var succeeded: Bool { termination == .exited(0) && !timedOut }
}

/// What a child wrote to a captured stream, up to its limit.
public struct CapturedOutput: Sendable, Hashable {
    public var bytes: [UInt8]
    /// More was written than the limit kept.
    public var truncated: Bool

    public init(bytes: [UInt8] = [], truncated: Bool = false) {
        self.bytes = bytes
        self.truncated = truncated
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
