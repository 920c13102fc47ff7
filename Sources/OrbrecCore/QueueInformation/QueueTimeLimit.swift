/// A time limit or a time used as a cluster reports it: a number of seconds, no limit, or
/// text it printed that means neither (kept, so that it is shown rather than dropped).
public enum QueueTimeLimit: Hashable, Sendable {
    case seconds(Int)
    case unlimited
    case unknown(String)

    public var seconds: Int? {
        if case .seconds(let value) = self { return value }
        return nil
    }

    /// Slurm's own form: `D-HH:MM:SS`, `H:MM:SS`, `M:SS`; `unlimited`; the text as reported.
    public var text: String {
        switch self {
        case .unlimited: return "unlimited"
        case .unknown(let text): return text
        case .seconds(let total):
            let days = total / 86_400, hours = total % 86_400 / 3600, minutes = total % 3600 / 60, seconds = total % 60
            func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
            if days > 0 { return "\(days)-\(two(hours)):\(two(minutes)):\(two(seconds))" }
            if hours > 0 { return "\(hours):\(two(minutes)):\(two(seconds))" }
            return "\(minutes):\(two(seconds))"
        }
    }
}

extension QueueTimeLimit: Codable {
    /// Written as its text, read back from it (`unlimited`, `1-00:00:00`, or anything else).
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = Self(text: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    /// Reads what `text` writes.
    public init(text: String) {
        if text == "unlimited" {
            self = .unlimited
            return
        }
        let dayParts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let clock = (dayParts.count == 2 ? dayParts[1] : dayParts[0]).split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        let days = dayParts.count == 2 ? Int(dayParts[0]) : 0
        guard let days, !clock.contains(nil), (2...3).contains(clock.count) else {
            self = .unknown(text)
            return
        }
        let values = clock.compactMap { $0 }
        let (hours, minutes, seconds) = values.count == 3 ? (values[0], values[1], values[2]) : (0, values[0], values[1])
        self = Self.seconds(days: days, hours: hours, minutes: minutes, seconds: seconds).map { .seconds($0) } ?? .unknown(text)
    }

    /// The total, or nil when a part is negative or the sum does not fit (text from elsewhere).
    public static func seconds(days: Int, hours: Int, minutes: Int, seconds: Int) -> Int? {
        guard days >= 0, hours >= 0, minutes >= 0, seconds >= 0 else { return nil }
        var total = 0
        for (value, unit) in [(days, 86_400), (hours, 3600), (minutes, 60), (seconds, 1)] {
            let (product, overflow) = value.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            let (sum, overflowSum) = total.addingReportingOverflow(product)
            guard !overflowSum else { return nil }
            total = sum
        }
        return total
    }
}
