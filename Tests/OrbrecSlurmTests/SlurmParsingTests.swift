import Foundation
import OrbrecCore
import OrbrecSlurm
import Testing

/// The Slurm mapping against output captured from a real Slurm 22.05 (Fixtures/README.md).
struct SlurmParsingTests {
    static func fixture(_ name: String) throws -> String {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        return try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    static func job(_ name: String) throws -> SlurmJobRecord {
        try #require(SlurmJobRecord.parseScontrol(try fixture(name)).first, "\(name) holds no job")
    }

    @Test(arguments: [
        ("scontrol-pending-held.txt", SlurmJobState.pending), ("scontrol-pending-resources.txt", .pending),
        ("scontrol-running.txt", .running), ("scontrol-completing.txt", .completing),
    ])
    func activeJobsHaveNoOutcome(_ name: String, _ state: SlurmJobState) throws {
        let job = try Self.job(name)
        #expect(job.state == state)
        #expect(job.state.isActive)
        #expect(job.state.outcome(exit: job.exitCode) == nil)
    }

    @Test func completedIsASuccess() throws {
        let job = try Self.job("scontrol-completed.txt")
        let outcome = try #require(job.state.outcome(exit: job.exitCode))
        #expect(outcome.succeeded)
        #expect(job.node == "localhost")
    }

    @Test func failedCarriesTheExitCodeAndIsTheApplicationsFailure() throws {
        let job = try Self.job("scontrol-failed.txt")
        #expect(job.exitCode == SlurmExitCode(code: 3, signal: 0))
        let outcome = try #require(job.state.outcome(exit: job.exitCode))
        #expect(outcome.exitCode == 3 && outcome.signal == nil && outcome.failureClass == .appError)
    }

    @Test func killedByASignalReportsTheSignal() throws {
        let job = try Self.job("scontrol-signal.txt")
        let outcome = try #require(job.state.outcome(exit: job.exitCode))
        #expect(outcome.signal == 9 && outcome.failureClass == .appError && outcome.summary == "signal=9")
    }

    @Test func timeoutIsATimeout() throws {
        let job = try Self.job("scontrol-timeout.txt")
        #expect(job.state == .timeout && job.reason == "TimeLimit")
        #expect(job.state.outcome(exit: job.exitCode)?.failureClass == .timeout)
        let sacct = try #require(SlurmJobRecord.parseSacct(try Self.fixture("sacct-format-timeout.txt")).first)
        #expect(sacct.state.outcome(exit: sacct.exitCode)?.failureClass == .timeout)
    }

    @Test func cancelledIsACancelWhenOrbrecAskedAndAnInterruptionOtherwise() throws {
        let job = try Self.job("scontrol-cancelled.txt")
        #expect(job.state == .cancelled)
        #expect(job.state.outcome(exit: job.exitCode, cancelledByOrbrec: true)?.cancelled == true)
        let outside = try #require(job.state.outcome(exit: job.exitCode, cancelledByOrbrec: false))
        #expect(outside.lost && outside.failureClass == .infra, "an operator's scancel does not use up an attempt")
    }

    @Test(arguments: [SlurmJobState.nodeFail, .preempted, .bootFail])
    func theClustersFailuresDoNotUseUpAnAttempt(_ state: SlurmJobState) {
        let outcome = state.outcome(exit: SlurmExitCode(code: 0, signal: 0))
        #expect(outcome?.failureClass == .infra)
    }

    @Test func outOfMemoryAndDeadlineAreMapped() {
        #expect(SlurmJobState.outOfMemory.outcome(exit: SlurmExitCode(code: 0, signal: 125))?.failureClass == .appError)
        #expect(SlurmJobState.deadline.outcome(exit: nil)?.failureClass == .timeout)
        #expect(SlurmJobState(slurm: "CANCELLED by 0") == .cancelled)
        #expect(SlurmJobState(slurm: "OOM") == .outOfMemory)
        #expect(SlurmJobState(slurm: "NF") == .nodeFail)
        #expect(SlurmJobState(slurm: "BOGUS") == nil)
    }

    @Test func anArrayShowsItsRunningTasksAndItsPendingRange() throws {
        let jobs = SlurmJobRecord.parseScontrol(try Self.fixture("scontrol-array-running.txt"))
        #expect(jobs.count == 3)
        let pending = try #require(jobs.first { $0.state == .pending })
        #expect(pending.arrayJobID == "18" && pending.arrayIndexes == [2, 3, 4, 5])
        #expect(Set(jobs.filter { $0.state == .running }.map(\.jobID)) == ["18_0", "18_1"])
        #expect(jobs.first { $0.jobID == "18_1" }?.rawJobID == "20", "sacct -c knows an array task by its raw id")
    }

    @Test func aFinishedArrayIsKnownToSacctByRawIDs() throws {
        let rows = SlurmJobRecord.parseSacct(try Self.fixture("sacct-format-array-tasks-raw.txt"))
        #expect(rows.count == 6)
        #expect(rows.allSatisfy { $0.state == .completed && $0.state.outcome(exit: $0.exitCode)?.succeeded == true })
    }

    @Test func sacctRowsMapLikeScontrol() throws {
        let failed = try #require(SlurmJobRecord.parseSacct(try Self.fixture("sacct-format-failed.txt")).first)
        #expect(failed.rawJobID == "7" && failed.state.outcome(exit: failed.exitCode)?.exitCode == 3)
        let signal = try #require(SlurmJobRecord.parseSacct(try Self.fixture("sacct-format-signal.txt")).first)
        #expect(signal.state.outcome(exit: signal.exitCode)?.signal == 9)
        #expect(SlurmJobRecord.parseSacct(try Self.fixture("sacct-format-header.txt")).count == 1, "a header line is skipped")
    }

    @Test func theCommentCarriesTheIdentityThroughSlurm() throws {
        let job = try Self.job("scontrol-name-comment-running.txt")
        #expect(job.jobName == "orbrec/pool/key")
        #expect(job.comment == "orbrec:st-abc:pool:key:1", "Slurm keeps ':' and '/' in a comment")
    }
}

struct SlurmJobIdentityTests {
    @Test(arguments: ["plain", "with:colon", "100%", "spa ce", "quote\"'\\", "ünï-cødé", "a/b", ""])
    func anAttemptsIdentityRoundTrips(_ key: String) throws {
        let identity = SlurmJobIdentity(owner: "st-0123", pool: "render", subject: .attempt(key: key, attempt: 3))
        #expect(!identity.comment.contains(" "))
        #expect(SlurmJobIdentity(comment: identity.comment) == identity)
    }

    @Test func anArraysIdentityRoundTrips() {
        let identity = SlurmJobIdentity(owner: "st-0123", pool: "render", subject: .array(actionID: "act-abc"))
        #expect(identity.comment == "orbrec:1:st-0123:render:@act-abc")
        #expect(SlurmJobIdentity(comment: identity.comment) == identity)
        #expect(identity.jobName == "orbrec-render")
    }

    @Test func foreignCommentsAreNotOrbrecs() {
        #expect(SlurmJobIdentity(comment: "") == nil)
        #expect(SlurmJobIdentity(comment: "orbrec:st-abc:pool:key:1") == nil, "an unversioned comment is not ours")
        #expect(SlurmJobIdentity(comment: "orbrec:1:st:pool:key:notanumber") == nil)
    }
}

struct SbatchArgumentsTests {
    @Test func walltimeIsRoundedUpToWholeMinutes() {
        #expect(SbatchArguments.minutes(.seconds(1)) == 1)
        #expect(SbatchArguments.minutes(.seconds(60)) == 1)
        #expect(SbatchArguments.minutes(.seconds(61)) == 2)
        #expect(SbatchArguments.minutes(.seconds(3600)) == 60)
    }

    @Test func anArrayIsThrottledByTheParallelism() {
        #expect(SbatchArguments.arraySpec(count: 16, throttle: 4) == "0-15%4")
        #expect(SbatchArguments.arraySpec(count: 3, throttle: 8) == "0-2", "no throttle above the array's size")
        #expect(SbatchArguments.arraySpec(count: 1, throttle: nil) == "0-0")
    }

    @Test func resourcesAndSchedulerOptionsBecomeSbatchOptions() {
        var scheduler = SchedulerSpec(metadata: Metadata(name: "hpc"), type: .slurm)
        scheduler.partition = "debug"
        scheduler.account = "cfd"
        scheduler.qos = "normal"
        scheduler.extraArgs = ["--exclusive"]
        let resources = TaskPoolSpec.Resources(cpus: 4, memoryMB: 2048, walltime: .seconds(90), partition: "short", gpus: 1)
        let identity = SlurmJobIdentity(owner: "st-1", pool: "render", subject: .array(actionID: "act-1"))
        let argv = SbatchArguments(identity: identity, scheduler: scheduler, resources: resources, array: "0-9%2",
                                   outputDirectory: "/state/tasks/render/slurm", script: "/state/slurm/act-1.job").argv
        #expect(argv.first == "sbatch" && argv.last == "/state/slurm/act-1.job")
        for option in ["--parsable", "--job-name=orbrec-render", "--comment=orbrec:1:st-1:render:@act-1", "--array=0-9%2",
                       "--partition=short", "--account=cfd", "--qos=normal", "--cpus-per-task=4", "--mem=2048M", "--time=2",
                       "--gres=gpu:1", "--exclusive", "--output=/state/tasks/render/slurm/%A_%a.out"] {
            #expect(argv.contains(option), "\(option) in \(argv)")
        }
    }
}
