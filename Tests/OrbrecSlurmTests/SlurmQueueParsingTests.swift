import OrbrecCore
import OrbrecSlurm
import Testing

/// Partitions, jobs and accounts from sinfo, squeue and sacctmgr, on output captured from the
/// real single-node Slurm 22.05 (Fixtures/README.md, "Queue information") and on hand-written
/// hostile lines: nothing a cluster prints may crash the parsers, and what cannot be read is
/// reported as a problem, the rest still used.
struct SlurmQueueParsingTests {
    static func partitions(_ name: String) throws -> SlurmPartitionListing.Result {
        SlurmPartitionListing.parse(try SlurmParsingTests.fixture(name))
    }

    @Test func anIdleClusterShowsItsTwoPartitionsWithTheirCPUsAndLimits() throws {
        let result = try Self.partitions("sinfo-idle.txt")
        #expect(result.problems.isEmpty)
        #expect(result.partitions.map(\.name) == ["debug", "short"])
        let debug = result.partitions[0], short = result.partitions[1]
        #expect(debug.isDefault && !short.isDefault)
        #expect(debug.state == .up)
        #expect(debug.nodes == QueuePartition.Nodes(idle: 1))
        #expect(debug.cpus == QueuePartition.CPUs(allocated: 0, idle: 2, other: 0, total: 2))
        #expect(debug.memoryMB == 24151 && !debug.memoryVaries)
        #expect(debug.timeLimit == .unlimited)
        #expect(short.timeLimit == .seconds(600), "sinfo prints MaxTime=10 as 10:00, minutes and seconds")
    }

    @Test(arguments: [
        ("sinfo-mixed.txt", QueuePartition.Nodes(mixed: 1), QueuePartition.CPUs(allocated: 1, idle: 1, other: 0, total: 2)),
        ("sinfo-allocated.txt", QueuePartition.Nodes(allocated: 1), QueuePartition.CPUs(allocated: 2, idle: 0, other: 0, total: 2)),
        ("sinfo-node-draining.txt", QueuePartition.Nodes(drained: 1), QueuePartition.CPUs(allocated: 2, idle: 0, other: 0, total: 2)),
        ("sinfo-node-drained.txt", QueuePartition.Nodes(drained: 1), QueuePartition.CPUs(allocated: 0, idle: 0, other: 2, total: 2)),
        ("sinfo-node-down.txt", QueuePartition.Nodes(down: 1), QueuePartition.CPUs(allocated: 0, idle: 0, other: 2, total: 2)),
    ])
    func nodeStatesAreCounted(_ name: String, _ nodes: QueuePartition.Nodes, _ cpus: QueuePartition.CPUs) throws {
        let result = try Self.partitions(name)
        #expect(result.problems.isEmpty)
        let debug = try #require(result.partitions.first { $0.name == "debug" })
        #expect(debug.nodes == nodes)
        #expect(debug.nodes.total == 1)
        #expect(debug.cpus == cpus)
    }

    @Test(arguments: [("sinfo-partition-down.txt", QueuePartition.State.down), ("sinfo-partition-drain.txt", .drain),
                      ("sinfo-partition-inactive.txt", .inactive)])
    func partitionStatesAreRead(_ name: String, _ state: QueuePartition.State) throws {
        let result = try Self.partitions(name)
        #expect(result.partitions.first { $0.name == "short" }?.state == state)
        #expect(result.partitions.first { $0.name == "debug" }?.state == .up)
    }

    @Test func hostileRowsAreProblemsAndTheRestIsSummed() throws {
        let result = try Self.partitions("sinfo-hostile.txt")
        let byName = Dictionary(result.partitions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let gpu = try #require(byName["gpu"])
        #expect(gpu.nodes == QueuePartition.Nodes(idle: 3, mixed: 2, down: 2, other: 4))
        #expect(gpu.cpus == QueuePartition.CPUs(allocated: 40, idle: 120, other: 192, total: 352))
        #expect(gpu.memoryMB == 256000 && gpu.memoryVaries)
        #expect(gpu.timeLimit == .seconds(2 * 86_400))
        let empty = try #require(byName["empty"])
        #expect(empty.state == .inactive && empty.nodes.total == 0)
        let weird = try #require(byName["weird"])
        #expect(weird.state == .unknown && weird.isDefault && weird.nodes.other == 1)
        #expect(weird.timeLimit == .unknown("sometime") && weird.memoryMB == nil)
        let huge = try #require(byName["huge"])
        #expect(huge.cpus.allocated == Int.max && huge.cpus.total == Int.max, "sums stop at Int.max")
        #expect(huge.timeLimit == .unknown("999999999999999-00:00:00"), "more seconds than an Int holds")
        #expect(byName["ünïcode"]?.state == .up && byName["ünïcode"]?.nodes.mixed == 1)
        #expect(byName["ünïcode"]?.timeLimit == .seconds(1800), "a bare number is minutes")
        #expect(Set(result.problems.map(\.line)) == [10, 11, 12, 13, 16, 17])
        for name in ["toofew", "toomany", "badcount", "hugecount", "badcpus"] { #expect(byName[name] == nil) }
    }

    @Test func anEmptyAnswerIsNoPartitionAndNoProblem() {
        let nothing = SlurmPartitionListing.parse("")
        #expect(nothing.partitions.isEmpty && nothing.problems.isEmpty)
        #expect(SlurmPartitionListing.parse("\n\n  \n").partitions.isEmpty)
    }

    @Test func jobsOfTheUserWithOrbrecsIdentity() throws {
        let result = SlurmQueueListing.parse(try SlurmParsingTests.fixture("squeue-queue-mine.txt"))
        #expect(result.problems.isEmpty)
        #expect(result.rows.map(\.job.id) == ["3_[0-5%2]", "5", "1", "2", "4"])
        let named = try #require(result.rows.first { $0.job.id == "2" })
        #expect(named.job.name == "odd|name with spaces", "a | in a name stays in the name")
        #expect(named.job.state == "RUNNING" && named.job.user == "root" && named.job.account == nil && named.job.partition == "debug")
        #expect(named.job.timeUsed == .seconds(1) && named.job.timeLimit == .seconds(365 * 86_400) && named.job.nodes == 1)
        #expect(SlurmJobIdentity(comment: named.comment)?.pool == "pool")
        let array = try #require(result.rows.first { $0.job.id == "3_[0-5%2]" })
        #expect(array.arrayIndex == nil && array.rawID == "3" && array.job.reason == "Resources")
        #expect(array.job.timeLimit == .unlimited)
        let held = try #require(result.rows.first { $0.job.id == "5" })
        #expect(held.job.reason == "JobHeldUser" && held.comment.isEmpty)
        #expect(held.job.timeLimit == .seconds(86_400 + 2 * 3600 + 4 * 60), "rounded up to whole minutes by Slurm")
        let pending = try #require(result.rows.first { $0.job.id == "4" })
        #expect(pending.job.reason.hasPrefix("Nodes required for job are DOWN, DRAINED"))
        #expect(SlurmQueueListing.parse(try SlurmParsingTests.fixture("squeue-queue-empty.txt")).rows.isEmpty)
    }

    @Test func hostileJobLinesNeverCrash() throws {
        let result = SlurmQueueListing.parse(try SlurmParsingTests.fixture("squeue-hostile.txt"))
        #expect(result.rows.map(\.job.id) == ["7", "8", "9", "10_[3-9%2]"])
        #expect(result.rows[0].job.name == "train\u{1F}with separator" && result.rows[0].job.account == "proj-a")
        #expect(result.rows[0].job.timeUsed == .seconds(86_400 + 7384))
        #expect(result.rows[1].job.timeLimit == .unknown("INVALID") && result.rows[1].job.nodes == nil)
        #expect(result.rows[2].job.timeUsed == .unknown("99999999999999999999:00") && result.rows[2].job.nodes == nil)
        #expect(result.rows[2].job.state == "SOMETHING_NEW")
        #expect(SlurmJobIdentity(comment: result.rows[2].comment) == nil)
        #expect(result.problems.map(\.line) == [4, 5, 7])
    }

    @Test func accountsWithoutAnAccountingDatabaseCannotBeHad() throws {
        #expect(SlurmAccountListing.parse(try SlurmParsingTests.fixture("sacctmgr-no-accounting.txt")).isEmpty)
        #expect(SlurmAccountListing.meansNoAccounting(try SlurmParsingTests.fixture("sacctmgr-no-accounting-stderr.txt")))
        #expect(SlurmAccountListing.parse("proj-a\nproj-b\n\nproj-a\n  proj-c  \n") == ["proj-a", "proj-b", "proj-c"])
    }

    @Test(arguments: [
        ("infinite", QueueTimeLimit.unlimited), ("UNLIMITED", .unlimited), ("0:00", .seconds(0)), ("10:00", .seconds(600)),
        ("1:02:03", .seconds(3723)), ("1-02:03:04", .seconds(93784)), ("2-00", .seconds(172_800)), ("2-01:30", .seconds(178_200)),
        ("30", .seconds(1800)), ("INVALID", .unknown("INVALID")), ("NOT_SET", .unknown("NOT_SET")), ("", .unknown("")),
        ("1:-2", .unknown("1:-2")), ("1:2:3:4", .unknown("1:2:3:4")), ("a-b", .unknown("a-b")), ("+5", .unknown("+5")),
        ("9223372036854775807:00", .unknown("9223372036854775807:00")),
    ])
    func slurmTimes(_ text: String, _ expected: QueueTimeLimit) {
        #expect(SlurmTime.parse(text) == expected)
    }

    /// Any line of any characters: the parsers answer rows or problems, never trap, and
    /// every non-blank line is one or the other.
    @Test func randomLinesAreRowsOrProblems() {
        var generator = SeededGenerator(seed: 21)
        let alphabet = Array("0123456789|/:-_*~+[]%()abcXYZ \u{1F}\tüé")
        for _ in 0..<2000 {
            let line = String((0..<Int.random(in: 0...60, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "x" })
            let blank = line.allSatisfy(\.isWhitespace)
            let partitions = SlurmPartitionListing.parse(line)
            #expect(partitions.problems.count + (partitions.partitions.isEmpty ? 0 : 1) == (blank ? 0 : 1), "\(line)")
            let jobs = SlurmQueueListing.parse(line)
            #expect(jobs.problems.count + jobs.rows.count == (blank ? 0 : 1), "\(line)")
            _ = SlurmTime.parse(line)
            _ = SlurmAccountListing.parse(line)
        }
    }

    /// Whatever seconds a limit holds, its text reads back as the same limit.
    @Test func timeLimitTextReadsBack() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let seconds = Int.random(in: 0...(400 * 86_400), using: &generator)
            #expect(SlurmTime.parse(QueueTimeLimit.seconds(seconds).text) == .seconds(seconds))
            #expect(QueueTimeLimit(text: QueueTimeLimit.seconds(seconds).text) == .seconds(seconds))
        }
    }
}

/// SplitMix64: the same sequence on every run, so a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
