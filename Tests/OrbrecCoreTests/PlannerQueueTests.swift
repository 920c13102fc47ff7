import OrbrecCore
import Testing

/// Issue 21 item 6: partitions and accounts the configuration names are checked at plan time
/// against what the scheduler reports, each refusal located where the name is written.
@Suite struct PlannerQueueTests {
    static func at(_ line: Int, _ column: Int = 16) -> OrbrecCore.SourceLocation {
        SourceLocation(file: "pools.yaml", line: line, column: column)
    }

    func desired(schedulerPartition: String? = nil, account: String? = nil, poolPartition: String? = "debug",
                 workflowPartition: String? = nil) throws -> DesiredState {
        var scheduler = SchedulerSpec(metadata: Metadata(name: "hpc", location: Self.at(1, 1)), type: .slurm,
                                      partition: schedulerPartition, account: account)
        scheduler.partitionLocation = schedulerPartition.map { _ in Self.at(5) }
        scheduler.accountLocation = account.map { _ in Self.at(6) }
        let pool = TaskPoolSpec(metadata: Metadata(name: "sims", location: Self.at(10, 1)), scheduler: "hpc",
                                command: [try CommandTemplate(parsing: "true")], source: .items(["a", "b"]),
                                resources: TaskPoolSpec.Resources(partition: poolPartition, partitionLocation: Self.at(20)))
        var workflows: [WorkflowSpec] = []
        if let workflowPartition {
            workflows.append(WorkflowSpec(metadata: Metadata(name: "nightly"), steps: [
                WorkflowSpec.Step(name: "fit", work: .run(scheduler: "hpc", command: [try CommandTemplate(parsing: "true")],
                                                          resources: TaskPoolSpec.Resources(partition: workflowPartition,
                                                                                            partitionLocation: Self.at(30))),
                                  location: Self.at(28, 7)),
            ]))
        }
        return DesiredState(schedulers: [scheduler], pools: [pool], workflows: workflows)
    }

    func input(_ desired: DesiredState, _ queues: [String: QueueObservation]) -> PlanInput {
        var input = PlanInput(desired: desired, observed: ObservedState())
        input.queues = queues
        return input
    }

    static let cluster = QueueObservation.observed(partitions: ["debug", "short"], accounts: nil)

    @Test func aKnownPartitionPlansAsBefore() throws {
        let plan = try Planner().plan(input(try desired(), ["hpc": Self.cluster]))
        #expect(plan.actions.contains { $0.verb == .submit })
        #expect(plan.warnings.isEmpty)
    }

    @Test func anUnknownPartitionOfAPoolFailsWhereItIsWritten() throws {
        let failure = T.failure(input(try desired(poolPartition: "nope"), ["hpc": Self.cluster]))
        let diagnostic = try #require(failure?.diagnostics.first)
        #expect(T.codes(failure) == ["unknown-partition"])
        #expect(diagnostic.location == Self.at(20))
        #expect(diagnostic.message == "TaskPool/sims: scheduler hpc has no partition nope (partitions: debug, short)")
        #expect(diagnostic.rendered.hasPrefix("pools.yaml:20:16: error: "))
    }

    @Test func theSchedulersOwnPartitionAndAWorkflowStepsAreChecked() throws {
        let failure = T.failure(input(try desired(schedulerPartition: "gone", workflowPartition: "long"), ["hpc": Self.cluster]))
        #expect(T.codes(failure) == ["unknown-partition", "unknown-partition"])
        #expect(failure?.diagnostics.map(\.location) == [Self.at(5), Self.at(30)])
        #expect(failure?.diagnostics.last?.message.hasPrefix("Workflow/nightly step fit: ") == true)
    }

    @Test func accountsAreCheckedOnlyWhenTheClusterCanTell() throws {
        let withoutAccounting = try Planner().plan(input(try desired(account: "proj-x"), ["hpc": Self.cluster]))
        #expect(withoutAccounting.warnings.isEmpty, "no accounting database: Slurm enforces no account, nothing to say")
        let accounting = QueueObservation.observed(partitions: ["debug"], accounts: ["proj-a", "proj-b"])
        #expect(throws: Never.self) { try Planner().plan(self.input(try self.desired(account: "proj-b"), ["hpc": accounting])) }
        let failure = T.failure(input(try desired(account: "proj-x"), ["hpc": accounting]))
        #expect(T.codes(failure) == ["unknown-account"])
        #expect(failure?.diagnostics.first?.location == Self.at(6))
    }

    @Test func anUnreachableSchedulerWarnsAndBlocksNothing() throws {
        let plan = try Planner().plan(input(try desired(poolPartition: "nope"), ["hpc": .unreachable("sinfo exited 1: timeout")]))
        #expect(plan.actions.contains { $0.verb == .submit })
        #expect(plan.warnings.map(\.code) == ["queue-unchecked"])
        #expect(plan.warnings.first?.message == "scheduler hpc could not be asked for its partitions and accounts (sinfo exited 1: timeout); partition nope not checked")
        #expect(plan.warnings.first?.location == Self.at(20))
    }

    @Test func aSchedulerNotObservedIsNotChecked() throws {
        #expect(throws: Never.self) { try Planner().plan(self.input(try self.desired(poolPartition: "nope"), [:])) }
    }

    @Test func locationsNeverChangeAHash() throws {
        var located = try desired().pools["sims"]!
        var bare = located
        bare.resources.partitionLocation = nil
        #expect(located.specHash == bare.specHash)
        located.resources.partitionLocation = Self.at(99)
        #expect(located.specHash == bare.specHash)
        var scheduler = try desired(schedulerPartition: "debug", account: "a").schedulers["hpc"]!
        let hash = scheduler.specHash
        scheduler.partitionLocation = nil
        scheduler.accountLocation = nil
        #expect(scheduler.specHash == hash)
    }
}
