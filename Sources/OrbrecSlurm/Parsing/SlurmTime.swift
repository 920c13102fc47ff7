internal import Foundation
public import OrbrecCore

/// Slurm's times as sinfo and squeue print them: `D-HH:MM:SS`, `H:MM:SS`, `M:SS`, a bare
/// number of minutes (sacct), `D-HH`, `D-HH:MM`; `infinite` and `UNLIMITED` for no limit.
/// Anything else (`INVALID`, `NOT_SET`, garbage, a number too large) is kept as text.
public enum SlurmTime {
    public static func parse(_ raw: String) -> QueueTimeLimit {
        let text = raw.trimmingCharacters(in: .whitespaces)
        switch text.lowercased() {
        case "infinite", "unlimited": return .unlimited
        default: break
        }
        let dayParts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let hasDays = dayParts.count == 2
        guard let days = hasDays ? number(dayParts[0]) : 0 else { return .unknown(text) }
        let fields = (hasDays ? dayParts[1] : dayParts[0]).split(separator: ":", omittingEmptySubsequences: false).map(number)
        guard !fields.isEmpty, fields.count <= 3, !fields.contains(nil) else { return .unknown(text) }
        let values = fields.compactMap { $0 }
        let seconds: Int?
        switch (hasDays, values.count) {
        case (false, 1): seconds = QueueTimeLimit.seconds(days: 0, hours: 0, minutes: values[0], seconds: 0)
        case (false, 2): seconds = QueueTimeLimit.seconds(days: 0, hours: 0, minutes: values[0], seconds: values[1])
        case (_, 3): seconds = QueueTimeLimit.seconds(days: days, hours: values[0], minutes: values[1], seconds: values[2])
        case (true, 1): seconds = QueueTimeLimit.seconds(days: days, hours: values[0], minutes: 0, seconds: 0)
        case (true, 2): seconds = QueueTimeLimit.seconds(days: days, hours: values[0], minutes: values[1], seconds: 0)
        default: seconds = nil
        }
        return seconds.map { .seconds($0) } ?? .unknown(text)
    }

    /// Digits only: no sign, no spaces, no `+`.
    static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else { return nil }
        return Int(text)
    }
}
