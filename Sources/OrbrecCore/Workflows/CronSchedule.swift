/// A 5-field cron expression (minute hour day-of-month month day-of-week), in UTC.
///
/// Fields take `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n` and `a-b/n`; months
/// and days may be named (`jan`, `mon`); day-of-week 0 and 7 are Sunday. As in Vixie
/// cron, when both day fields are restricted a day matching either one is a match.
public struct CronSchedule: Hashable, Sendable, Codable, CustomStringConvertible {
    public let expression: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public var description: String { expression }

    /// Parses `expression`; throws `CronError` naming the field that is wrong.
    public init(_ expression: String) throws(CronError) {
        let fields = expression.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronError("a schedule has 5 fields (minute hour day-of-month month day-of-week), not \(fields.count)")
        }
        self.expression = fields.joined(separator: " ")
        minutes = try Self.field(fields[0], name: "minute", range: 0...59)
        hours = try Self.field(fields[1], name: "hour", range: 0...23)
        daysOfMonth = try Self.field(fields[2], name: "day-of-month", range: 1...31)
        months = try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames)
        let weekdays = try Self.field(fields[4], name: "day-of-week", range: 0...7, names: Self.dayNames)
        daysOfWeek = Set(weekdays.map { $0 == 7 ? 0 : $0 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
        guard months.contains(where: { month in daysOfMonth.contains { $0 <= Self.maxDays(month) } }) || dayOfWeekRestricted else {
            throw CronError("day-of-month \(fields[2]) never occurs in month \(fields[3])")
        }
    }

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    static func maxDays(_ month: Int) -> Int { [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] }

    static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String] = []) throws(CronError) -> Set<Int> {
        var values: Set<Int> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else { throw CronError("\(name) field '\(text)' is not valid") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw CronError("\(name) step in '\(text)' must be a positive number") }
                step = parsed
            }
            let span: ClosedRange<Int>
            if pieces[0] == "*" {
                span = range
            } else {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2 else { throw CronError("\(name) field '\(text)' is not valid") }
                let low = try value(String(bounds[0]), name: name, range: range, names: names)
                let high = bounds.count == 2 ? try value(String(bounds[1]), name: name, range: range, names: names)
                    : (pieces.count == 2 ? range.upperBound : low)
                guard low <= high else { throw CronError("\(name) range '\(pieces[0])' runs backwards") }
                span = low...high
            }
            values.formUnion(stride(from: span.lowerBound, through: span.upperBound, by: step))
        }
        return values
    }

    static func value(_ text: String, name: String, range: ClosedRange<Int>, names: [String]) throws(CronError) -> Int {
        if let index = names.firstIndex(of: text.lowercased()) { return index + (range.lowerBound == 1 ? 1 : 0) }
        guard let number = Int(text), range.contains(number) else {
            throw CronError("\(name) '\(text)' is out of range \(range.lowerBound)-\(range.upperBound)")
        }
        return number
    }

    /// Whether the minute starting at `instant` matches.
    public func matches(_ instant: Instant) -> Bool {
        let time = CivilTime(instant)
        return minutes.contains(time.minute) && hours.contains(time.hour) && months.contains(time.month) && dayMatches(time)
    }

    func dayMatches(_ time: CivilTime) -> Bool {
        let byMonth = daysOfMonth.contains(time.day)
        let byWeek = daysOfWeek.contains(time.weekday)
        if dayOfMonthRestricted && dayOfWeekRestricted { return byMonth || byWeek }
        return byMonth && byWeek
    }

    /// The first matching minute strictly after `instant`; nil if none in the next 5 years
    /// (a schedule such as `0 0 30 2 *` that never occurs is refused at parse time).
    public func next(after instant: Instant) -> Instant? {
        var minute = instant.millisecondsSinceEpoch / 60_000 + 1
        let limit = minute + 5 * 366 * 24 * 60
        while minute < limit {
            let time = CivilTime(Instant(millisecondsSinceEpoch: minute * 60_000))
            guard months.contains(time.month) else {
                minute = CivilTime.firstMinuteOfNextMonth(time)
                continue
            }
            guard dayMatches(time) else {
                minute = (minute / 1440 + 1) * 1440
                continue
            }
            guard hours.contains(time.hour) else {
                minute = (minute / 60 + 1) * 60
                continue
            }
            if minutes.contains(time.minute) { return Instant(millisecondsSinceEpoch: minute * 60_000) }
            minute += 1
        }
        return nil
    }

    /// The latest matching minute at or before `instant`, looking back no further than `since`.
    public func latest(atOrBefore instant: Instant, since: Instant) -> Instant? {
        var found: Instant?
        var cursor = Instant(millisecondsSinceEpoch: since.millisecondsSinceEpoch - 1)
        while let next = next(after: cursor), next <= instant {
            found = next
            cursor = next
        }
        return found
    }
}

/// A cron expression that cannot be parsed.
public struct CronError: Error, Hashable, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
}

/// A UTC calendar time, computed without Foundation (days from civil, Howard Hinnant).
struct CivilTime: Hashable, CustomStringConvertible {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int
    /// 0 = Sunday.
    var weekday: Int

    /// `2026-12-06T02:00Z`: how a scheduled moment is named in reasons and events.
    var description: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute))Z"
    }

    init(_ instant: Instant) {
        let totalMinutes = Int(floorDivide(instant.millisecondsSinceEpoch, 60_000))
        let days = floorDivide(Int64(totalMinutes), 1440)
        let minuteOfDay = totalMinutes - Int(days) * 1440
        hour = minuteOfDay / 60
        minute = minuteOfDay % 60
        weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * shifted + 2) / 5 + 1)
        month = Int(shifted < 10 ? shifted + 3 : shifted - 9)
        year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
    }

    /// Minutes since the epoch at 00:00 on the first day of the month after `time`'s.
    static func firstMinuteOfNextMonth(_ time: CivilTime) -> Int64 {
        let (year, month) = time.month == 12 ? (time.year + 1, 1) : (time.year, time.month + 1)
        return daysFromCivil(year: year, month: month, day: 1) * 1440
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let quotient = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
}
