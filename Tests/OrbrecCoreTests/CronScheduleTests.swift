import Testing
import OrbrecCore
import PropertyBased

@Suite("Cron schedules (UTC)")
struct CronScheduleTests {
    /// 2026-11-24T18:00:00Z, a Tuesday.
    static let tuesdayEvening = Instant(millisecondsSinceEpoch: 1_795_543_200_000)

    static func at(_ minutesFromTuesdayEvening: Int64) -> Instant {
        Instant(millisecondsSinceEpoch: tuesdayEvening.millisecondsSinceEpoch + minutesFromTuesdayEvening * 60_000)
    }

    @Test func nightlyAtTwo() throws {
        let cron = try CronSchedule("0 2 * * *")
        // From 18:00 Tuesday the next 02:00 is 8 hours later, then every 24 hours.
        #expect(cron.next(after: Self.tuesdayEvening) == Self.at(8 * 60))
        #expect(cron.next(after: Self.at(8 * 60)) == Self.at(32 * 60))
        #expect(cron.matches(Self.at(8 * 60)))
        #expect(!cron.matches(Self.at(8 * 60 + 1)))
    }

    @Test func stepsRangesListsAndNames() throws {
        let cron = try CronSchedule("*/15 9-17 * * mon-fri")
        #expect(cron.next(after: Self.tuesdayEvening) == Self.at(15 * 60), "Wednesday 09:00")
        let weekend = try CronSchedule("30 12 * * sat,sun")
        #expect(weekend.next(after: Self.tuesdayEvening) == Self.at(4 * 1440 - 18 * 60 + 12 * 60 + 30), "Saturday 12:30")
        let sunday7 = try CronSchedule("0 0 * * 7")
        #expect(sunday7.next(after: Self.tuesdayEvening) == Self.at(5 * 1440 - 18 * 60), "7 is Sunday too")
        let december = try CronSchedule("0 0 1 DEC *")
        #expect(december.next(after: Self.tuesdayEvening) == Self.at(7 * 1440 - 18 * 60), "2026-12-01")
    }

    @Test func bothDayFieldsMeanEither() throws {
        // The 1st of the month or any Friday: Friday 2026-11-27 comes first.
        let cron = try CronSchedule("0 0 1 * fri")
        #expect(cron.next(after: Self.tuesdayEvening) == Self.at(3 * 1440 - 18 * 60))
    }

    @Test func leapDayIsFoundAndImpossibleDatesAreRefused() throws {
        let leap = try CronSchedule("0 0 29 2 *")
        let next = try #require(leap.next(after: Self.tuesdayEvening))
        // 2028-02-29T00:00:00Z
        #expect(next.millisecondsSinceEpoch == 1_835_395_200_000)
        #expect(throws: CronError.self) { try CronSchedule("0 0 30 2 *") }
    }

    @Test(arguments: ["", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8",
                      "*/0 * * * *", "5-1 * * * *", "a * * * *", "1,,2 * * * *", "* * * foo *"])
    func invalidExpressionsAreRefused(_ text: String) {
        #expect(throws: CronError.self) { try CronSchedule(text) }
    }

    @Test func latestDueMomentLooksBackToASince() throws {
        let hourly = try CronSchedule("0 * * * *")
        #expect(hourly.latest(atOrBefore: Self.at(150), since: Self.at(0)) == Self.at(120))
        #expect(hourly.latest(atOrBefore: Self.at(30), since: Self.at(1)) == nil)
        #expect(hourly.latest(atOrBefore: Self.at(60), since: Self.at(60)) == Self.at(60))
    }

    static let expressions = zip(Gen.int(in: 0...59), Gen.int(in: 1...23), Gen.int(in: 1...28), Gen.int(in: 0...6),
                                 Gen.int(in: 0...3), Gen.int64(in: 0...(4 * 365 * 1440)))

    /// Whatever the schedule and the start: the next moment is later, matches, and no minute
    /// in between does.
    @Test func nextIsTheFirstMatchingMinute() async {
        await propertyCheck(count: 200, input: Self.expressions) { minute, hourStep, day, weekday, shape, offset in
            let text = switch shape {
            case 0: "\(minute) */\(hourStep) * * *"
            case 1: "\(minute) 3 \(day) * *"
            case 2: "*/\(max(1, minute)) * * * \(weekday)"
            default: "\(minute) \(hourStep) \(day) * \(weekday)"
            }
            guard let cron = try? CronSchedule(text) else {
                Issue.record("\(text) should parse")
                return
            }
            let start = Self.at(offset)
            guard let next = cron.next(after: start) else {
                Issue.record("\(text) has no next after \(start)")
                return
            }
            #expect(next > start)
            #expect(cron.matches(next), "\(text)")
            #expect(next.millisecondsSinceEpoch % 60_000 == 0)
            // Checking minute by minute is slow for far-apart matches: only when close.
            let gap = (next.millisecondsSinceEpoch - start.millisecondsSinceEpoch) / 60_000
            if gap < 3 * 1440 {
                var minuteStart = (start.millisecondsSinceEpoch / 60_000 + 1) * 60_000
                while minuteStart < next.millisecondsSinceEpoch {
                    #expect(!cron.matches(Instant(millisecondsSinceEpoch: minuteStart)), "\(text) matched earlier")
                    minuteStart += 60_000
                }
            }
        }
    }
}
