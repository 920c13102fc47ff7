internal import OrbrecCore

/// Who a job belongs to, written into its `--comment` so that a restarted orbrec finds its
/// jobs by asking Slurm, never by trusting the journal alone:
/// `orbrec:1:<owner>:<pool>:<key>:<attempt>` for a single attempt, and
/// `orbrec:1:<owner>:<pool>:@<action>` for an array, whose tasks are mapped to keys by the
/// array's manifest (written before sbatch is called).
public struct SlurmJobIdentity: Sendable, Hashable {
    public enum Subject: Sendable, Hashable {
        case attempt(key: String, attempt: Int)
        case array(actionID: String)
    }

    public var owner: String
    public var pool: String
    public var subject: Subject

    public init(owner: String, pool: String, subject: Subject) {
        self.owner = owner
        self.pool = pool
        self.subject = subject
    }

    static let prefix = "orbrec:1:"

    public var comment: String {
        let head = Self.prefix + Self.escape(owner) + ":" + Self.escape(pool) + ":"
        switch subject {
        case .attempt(let key, let attempt): return head + Self.escape(key) + ":" + String(attempt)
        case .array(let actionID): return head + "@" + Self.escape(actionID)
        }
    }

    /// The job name users see in squeue: short, and the same for a pool's jobs.
    public var jobName: String { "orbrec-" + pool }

    public init?(comment: String) {
        guard comment.hasPrefix(Self.prefix) else { return nil }
        let fields = comment.dropFirst(Self.prefix.count).split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 3, let owner = Self.unescape(fields[0]), let pool = Self.unescape(fields[1]) else { return nil }
        self.owner = owner
        self.pool = pool
        if fields.count == 3, fields[2].hasPrefix("@"), let action = Self.unescape(String(fields[2].dropFirst())) {
            subject = .array(actionID: action)
        } else if fields.count == 4, let key = Self.unescape(fields[2]), let attempt = Int(fields[3]) {
            subject = .attempt(key: key, attempt: attempt)
        } else {
            return nil
        }
    }

    /// Keys may hold any character: `%`, `:`, spaces and anything outside printable ASCII
    /// are written as `%XX`, so the fields split cleanly and Slurm keeps the comment intact.
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte > 0x20 && byte < 0x7f && byte != UInt8(ascii: "%") && byte != UInt8(ascii: ":") && byte != UInt8(ascii: "\"")
                && byte != UInt8(ascii: "'") && byte != UInt8(ascii: "\\") {
                out.unicodeScalars.append(scalar)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    static func unescape(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
