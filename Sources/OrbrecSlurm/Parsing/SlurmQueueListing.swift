public import OrbrecCore

/// Jobs from `squeue --me --noheader --format=...`. Fields are separated by the ASCII unit
/// separator (0x1F), which neither Slurm nor a job name written by hand holds, where `|`
/// can appear in any job name or comment. The job name comes last: were it ever to hold the
/// separator, what follows the eleventh is still its name. Pure: tested on captured output.
public enum SlurmQueueListing {
    public static let separator: Character = "\u{1F}"

    /// Job id (`123`, `123_4`, `123_[5-9%2]`), raw id, user, account, partition, state, time
    /// used, time limit, nodes, reason, comment (orbrec's identity), name.
    public static let format = ["%i", "%A", "%u", "%a", "%P", "%T", "%M", "%l", "%D", "%r", "%k", "%j"].joined(separator: String(separator))
    static let columns = 12

    public static var argv: [String] { ["squeue", "--me", "--noheader", "--format=\(format)"] }

    /// One row of squeue, with the comment that tells whose job it is.
    public struct Row: Hashable, Sendable {
        public var job: QueueJob
        public var rawID: String
        public var comment: String

        /// The array task index of `123_4`; nil for a plain job or a pending range.
        public var arrayIndex: Int? {
            let parts = job.id.split(separator: "_", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return SlurmTime.number(parts[1])
        }
    }

    public struct Result: Hashable, Sendable {
        public var rows: [Row]
        public var problems: [SlurmParseProblem]
    }

    public static func parse(_ text: String) -> Result {
        var rows: [Row] = []
        var problems: [SlurmParseProblem] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            guard !trimmed.allSatisfy(\.isWhitespace) else { continue }
            var fields = trimmed.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= columns else {
                problems.append(SlurmParseProblem(line: index + 1, text: String(trimmed),
                                                  message: "expected \(columns) fields separated by 0x1F, found \(fields.count)"))
                continue
            }
            if fields.count > columns {
                fields = Array(fields[..<(columns - 1)]) + [fields[(columns - 1)...].joined(separator: String(separator))]
            }
            guard !fields[0].isEmpty else {
                problems.append(SlurmParseProblem(line: index + 1, text: String(trimmed), message: "no job id"))
                continue
            }
            let job = QueueJob(id: fields[0], name: fields[11], user: fields[2], account: nullable(fields[3]), partition: fields[4],
                               state: fields[5], timeUsed: nullable(fields[6]).map(SlurmTime.parse),
                               timeLimit: nullable(fields[7]).map(SlurmTime.parse), nodes: SlurmTime.number(Substring(fields[8])),
                               reason: fields[9])
            rows.append(Row(job: job, rawID: fields[1], comment: nullable(fields[10]) ?? ""))
        }
        return Result(rows: rows, problems: problems)
    }

    /// squeue prints `(null)` for a field a job does not have.
    static func nullable(_ text: String) -> String? {
        text.isEmpty || text == "(null)" ? nil : text
    }
}
