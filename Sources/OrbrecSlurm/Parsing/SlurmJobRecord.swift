internal import OrbrecCore

/// One job (or one array task, or a still-pending range of array tasks) as Slurm reports
/// it, read from `scontrol show job -o` while Slurm holds it, or from `sacct -c` (the
/// jobcomp file) after it has left. Pure parsing, tested with captured output.
public struct SlurmJobRecord: Sendable, Hashable {
    /// Slurm's own id of this job or array task (`JobId=`), the one sacct -c knows it by.
    public var rawJobID: String
    /// The array's id and this task's indexes; nil for a plain job.
    public var arrayJobID: String?
    public var arrayIndexes: [Int]
    public var state: SlurmJobState
    public var reason: String
    public var exitCode: SlurmExitCode?
    public var comment: String
    public var jobName: String
    public var node: String
    public var startTime: String
    public var endTime: String

    /// The id orbrec records: `123` for a plain job, `123_4` for an array task.
    public var jobID: String {
        guard let arrayJobID, arrayIndexes.count == 1 else { return rawJobID }
        return "\(arrayJobID)_\(arrayIndexes[0])"
    }

    public var identity: SlurmJobIdentity? { SlurmJobIdentity(comment: comment) }

    /// Every job of `scontrol show job -o` output: one line per job, `Key=Value` fields.
    public static func parseScontrol(_ text: String) -> [SlurmJobRecord] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = keyValues(String(line))
            guard let id = fields["JobId"], let stateText = fields["JobState"], let state = SlurmJobState(slurm: stateText) else { return nil }
            let arrayJob = fields["ArrayJobId"].flatMap { $0 == "(null)" || $0.isEmpty ? nil : $0 }
            let indexes = fields["ArrayTaskId"].map(expandIndexes) ?? []
            return SlurmJobRecord(
                rawJobID: id, arrayJobID: arrayJob, arrayIndexes: indexes, state: state, reason: fields["Reason"] ?? "",
                exitCode: fields["ExitCode"].flatMap(SlurmExitCode.init), comment: nullable(fields["Comment"]),
                jobName: fields["JobName"] ?? "", node: nullable(fields["NodeList"]),
                startTime: nullable(fields["StartTime"]), endTime: nullable(fields["EndTime"]))
        }
    }

    /// The format orbrec asks sacct -c for.
    public static let sacctFormat = "JobID,JobName,State,ExitCode,Start,End,NodeList"

    /// `sacct -c -n -P --format=JobID,JobName,State,ExitCode,Start,End,NodeList`: the jobcomp
    /// file knows jobs (and array tasks) by their raw ids only, and no comment.
    public static func parseSacct(_ text: String) -> [SlurmJobRecord] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let columns = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= 7, let state = SlurmJobState(slurm: columns[2]) else { return nil }
            return SlurmJobRecord(rawJobID: columns[0], arrayJobID: nil, arrayIndexes: [], state: state, reason: "",
                                  exitCode: SlurmExitCode(columns[3]), comment: "", jobName: columns[1], node: columns[6],
                                  startTime: columns[4], endTime: columns[5])
        }
    }

    /// `Key=Value Key=Value …`; a value with spaces continues until the next `Key=`.
    static func keyValues(_ line: String) -> [String: String] {
        var fields: [String: String] = [:]
        var lastKey: String?
        for token in line.split(separator: " ", omittingEmptySubsequences: true) {
            if let equals = token.firstIndex(of: "="), !token[..<equals].isEmpty,
               token[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "/" || $0 == ":" || $0 == "_" }) {
                let key = String(token[..<equals])
                fields[key] = String(token[token.index(after: equals)...])
                lastKey = key
            } else if let lastKey {
                fields[lastKey, default: ""] += " " + token
            }
        }
        return fields
    }

    /// `4`, `2-5%2`, `1,3,7-9`: the indexes of an array task field.
    static func expandIndexes(_ text: String) -> [Int] {
        let list = text.split(separator: "%").first.map(String.init) ?? text
        var indexes: [Int] = []
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 2, bounds[0] <= bounds[1] {
                indexes += Array(bounds[0]...bounds[1])
            } else if bounds.count == 1 {
                indexes.append(bounds[0])
            }
        }
        return indexes
    }

    static func nullable(_ value: String?) -> String {
        guard let value, value != "(null)", value != "Unknown", value != "None" else { return "" }
        return value
    }
}
