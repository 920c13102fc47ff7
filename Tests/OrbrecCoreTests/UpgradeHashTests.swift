import Testing
import OrbrecCore
import OrbrecTestSupport

/// Spec hashes come from the canonical encoding since issue 18, so after that upgrade every
/// machine carries a hash no template has any more. None of them may be replaced for it,
/// and no workflow run may start for it.
@Suite("Hashes after an upgrade")
struct UpgradeHashTests {
    static let legacyHash = "hash-of-an-older-orbrec"

    @Test func aHashTheHistoryRecordsWithTheCurrentFieldsReplacesNothing() throws {
        let template = Fixtures.template()
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 2)])
        var input = T.input(desired, machines: [Fixtures.machine("m1", templateHash: Self.legacyHash),
                                                Fixtures.machine("m2", templateHash: Self.legacyHash, createdAt: 1)])
        input.templateHistory = [Self.legacyHash: template.replacementFieldValues]
        let plan = try T.plan(input)
        #expect(plan.actions.isEmpty, "\(T.shapes(plan))")
        #expect(plan.hasNoChanges)
    }

    @Test func aHashTheHistoryRecordsWithOtherFieldsIsReplacedNamingTheField() throws {
        let old = Fixtures.template(command: ["sleep", "300"])
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 1)])
        var input = T.input(desired, machines: [Fixtures.machine("m1", templateHash: Self.legacyHash)])
        input.templateHistory = [Self.legacyHash: old.replacementFieldValues]
        let plan = try T.plan(input)
        #expect(T.shapes(plan) == [T.shape(.replace, .templateChanged, count: 1, machines: ["m1"])])
        #expect(plan.actions.first?.changes == [FieldChange(field: "command", before: #"["sleep", "300"]"#,
                                                            after: #"["sleep", "infinity"]"#, forcesReplacement: true)])
    }

    /// States older than the template history: the hash orbrec computed before issue 18
    /// (values computed with that version's code) still names the same template.
    @Test func theHashOfBeforeTheUpgradeReplacesNothingWithoutHistory() throws {
        let local = Fixtures.template()
        let aws = Fixtures.awsTemplate("small", provider: "ec2", instanceType: nil) { settings in
            settings.providerApi = .ec2Fleet
            settings.instanceTypes = ["t3.micro": 1, "t3.small": 2]
            settings.subnetIds = ["subnet-1"]
            settings.userData = "#!/bin/sh"
            settings.priceType = .spot
            settings.tags = ["team": "cfd"]
        }
        let desired = DesiredState(
            providers: [Fixtures.provider(), ProviderSpec(metadata: Metadata(name: "ec2"), settings: .aws(AWSProviderSettings(region: "r")))],
            templates: [local, aws], fleets: [Fixtures.fleet(count: 1), Fixtures.fleet("cloud", template: "small", count: 1)])
        let input = T.input(desired, machines: [Fixtures.machine("m1", templateHash: "138064bff7ef2117"),
                                                Fixtures.machine("c1", fleet: "cloud", template: aws, templateHash: "7118d7d2a5648125")])
        let plan = try T.plan(input)
        #expect(plan.actions.isEmpty, "\(T.shapes(plan))")
    }

    /// A history written by an older rendering of the fields (here a literal map unlike
    /// today's) does not outvote the pre-upgrade hash that still names the same template.
    @Test func aHistoryRenderedOtherwiseDoesNotHideThePreUpgradeHash() throws {
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 1)])
        var input = T.input(desired, machines: [Fixtures.machine("m1", templateHash: "138064bff7ef2117")])
        input.templateHistory = ["138064bff7ef2117": ["command": "sleep infinity (as an older orbrec wrote it)"]]
        let plan = try T.plan(input)
        #expect(plan.actions.isEmpty, "\(T.shapes(plan))")
    }

    @Test func aChangedTemplateStillReplacesMachinesOfTheOldHash() throws {
        let changed = Fixtures.template(command: ["sleep", "1"])
        let desired = Fixtures.desired(templates: [changed], fleets: [Fixtures.fleet(count: 1)])
        let plan = try T.plan(T.input(desired, machines: [Fixtures.machine("m1", templateHash: "138064bff7ef2117")]))
        #expect(T.shapes(plan) == [T.shape(.replace, .templateChanged, count: 1, machines: ["m1"])])
    }

    @Test func statusCountsNoOutdatedMachineAfterTheUpgrade() {
        let template = Fixtures.template()
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 1)])
        let merged = FleetMachine.merge(observed: ObservedState(machines: [Fixtures.machine("m1", templateHash: Self.legacyHash)]), recorded: [])
        let machines = FleetMachine.restamped(merged, desired: desired, history: [Self.legacyHash: template.replacementFieldValues])
        #expect(machines.map(\.templateHash) == [template.specHash])
        let report = StatusReport(desired: desired, machines: machines, plan: nil, unreachableProviders: [:])
        #expect(report.rows.first { $0.id == template.id }?.sync == .synced)
    }

    /// A run recorded before the upgrade carries the workflow's old hash (computed with that
    /// version's code): its generation has run.
    @Test func aWorkflowRunOfBeforeTheUpgradeCountsForItsGeneration() throws {
        let pool = TaskPoolSpec(metadata: Metadata(name: "sims"), scheduler: "cpu",
                                command: [try CommandTemplate(parsing: "echo"), try CommandTemplate(parsing: "${item}")],
                                source: .range(from: 1, to: 3), env: ["A": "1"], resources: .init(cpus: 2, walltime: .seconds(60)), parallelism: 2)
        let spec = WorkflowSpec(metadata: Metadata(name: "nightly"), steps: [
            .init(name: "up", work: .provision(fleet: "workers", count: 2, waitReady: true)),
            .init(name: "run", needs: ["up"], work: .inlinePool(pool), retry: RetryPolicy.default),
            .init(name: "report", needs: ["run"], work: .run(scheduler: "cpu", command: [try CommandTemplate(parsing: "true")],
                                                             resources: .init(memoryMB: 512)),
                  always: true, timeout: .seconds(30)),
        ], trigger: .init(onChange: true, schedule: try CronSchedule("0 2 * * *")), concurrency: .forbid)
        let t0 = Instant(millisecondsSinceEpoch: 0)
        var run = WorkflowRun(id: "wr-1", workflow: "nightly", specHash: "67fa63f316d4b508", trigger: .change, createdAt: t0, steps: [])
        run.state = .succeeded
        let decision = WorkflowTriggers().decide(spec, runs: [run], since: t0, now: t0.adding(.seconds(60)))
        #expect(decision.starts.isEmpty)
        #expect(spec.specHash != "67fa63f316d4b508", "the hash itself did change")
    }
}
