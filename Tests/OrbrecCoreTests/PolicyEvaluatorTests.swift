import Testing
import OrbrecCore
import OrbrecTestSupport

@Suite("Policy evaluation (pure)")
struct PolicyEvaluatorTests {
    static let site = ExpressionSite(start: SourceLocation(file: "p.yaml", line: 9, column: 13))

    static func rule(_ name: String, _ condition: String, effect: PolicyRule.Effect = .deny, scope: PolicyRule.Scope = .resource,
                     match: PolicyRule.Match = PolicyRule.Match(kinds: [.fleet]), message: String? = nil) -> PolicyRule {
        PolicyRule(name: name, scope: scope, match: scope == .plan ? PolicyRule.Match() : match, effect: effect, condition: condition,
                   conditionSite: site, message: message, location: SourceLocation(file: "p.yaml", line: 7, column: 7))
    }

    static func policy(_ enforcement: PolicySpec.Enforcement, _ rules: [PolicyRule], name: String = "guard") -> PolicySpec {
        PolicySpec(metadata: Metadata(name: name), enforcement: enforcement, rules: rules)
    }

    static func subject(_ name: String, count: Int, labels: [String: String] = [:]) -> PolicySubject {
        PolicySubject(id: ResourceID(.fleet, name),
                      metadata: Metadata(name: name, labels: labels, location: SourceLocation(file: "\(name).yaml", line: 1, column: 1)),
                      spec: .map(["template": .string("worker"), "count": .int(Int64(count))]))
    }

    @Test func aDenialCarriesTheResourceItsLocationAndTheRenderedMessage() {
        let report = PolicyEvaluator().evaluate(
            [Self.policy(.softMandatory, [Self.rule("cap", "spec.count > 5", message: "{{metadata.name}} wants {{spec.count}}")])],
            subjects: [Self.subject("small", count: 2), Self.subject("big", count: 9)], plan: .map([:]))
        #expect(report.evaluations == 2)
        #expect(report.ruleEvaluations["guard/cap"] == 2)
        #expect(report.violations.count == 1)
        let violation = report.violations[0]
        #expect(violation.resource == ResourceID(.fleet, "big"))
        #expect(violation.location == SourceLocation(file: "big.yaml", line: 1, column: 1))
        #expect(violation.ruleLocation == SourceLocation(file: "p.yaml", line: 7, column: 7))
        #expect(violation.message == "big wants 9")
        #expect(violation.code == "policy-deny")
        #expect(violation.isBlocking && violation.isOverridable)
        #expect(report.blocks(overridden: false))
        #expect(!report.blocks(overridden: true))
    }

    @Test(arguments: [
        (PolicySpec.Enforcement.advisory, PolicyRule.Effect.deny, false, false),
        (.softMandatory, .deny, true, false),
        (.hardMandatory, .deny, true, true),
        (.hardMandatory, .warn, false, false),
        (.softMandatory, .warn, false, false),
    ])
    func enforcementDecidesWhatBlocks(_ enforcement: PolicySpec.Enforcement, _ effect: PolicyRule.Effect, _ blocks: Bool,
                                      _ blocksWithOverride: Bool) {
        let report = PolicyEvaluator().evaluate([Self.policy(enforcement, [Self.rule("cap", "spec.count > 5", effect: effect)])],
                                                subjects: [Self.subject("big", count: 9)], plan: .map([:]))
        #expect(report.violations.count == 1)
        #expect(report.blocks(overridden: false) == blocks)
        #expect(report.blocks(overridden: true) == blocksWithOverride)
    }

    @Test func matchFiltersByKindNameGlobAndLabels() {
        let rule = Self.rule("owned", "true", match: PolicyRule.Match(kinds: [.fleet], names: ["gpu-*", "cpu-?"], labels: ["team": "cfd"]))
        let subjects = [
            Self.subject("gpu-a", count: 1, labels: ["team": "cfd"]),
            Self.subject("gpu-b", count: 1, labels: ["team": "web"]),
            Self.subject("cpu-1", count: 1, labels: ["team": "cfd", "x": "y"]),
            Self.subject("cpu-12", count: 1, labels: ["team": "cfd"]),
            Self.subject("other", count: 1, labels: ["team": "cfd"]),
        ]
        let report = PolicyEvaluator().evaluate([Self.policy(.advisory, [rule])], subjects: subjects, plan: .map([:]))
        #expect(report.violations.compactMap(\.resource?.name).sorted() == ["cpu-1", "gpu-a"])
    }

    @Test func anEvaluationErrorFailsClosedAndANonBooleanIsAnError() {
        let report = PolicyEvaluator().evaluate([Self.policy(.hardMandatory, [
            Self.rule("missing", "metadata.labels.owner == 'x'"),
            Self.rule("number", "spec.count + 1"),
        ])], subjects: [Self.subject("a", count: 1)], plan: .map([:]))
        #expect(report.violations.map(\.level) == [.error, .error])
        #expect(report.violations[0].message.contains("could not be evaluated for Fleet/a"))
        #expect(report.violations[1].message.contains("must give true or false, not int"))
        #expect(report.blocks(overridden: true))
    }

    @Test func aRunawayExpressionIsStoppedByTheBudget() {
        let report = PolicyEvaluator(budget: 500).evaluate([Self.policy(.advisory, [
            Self.rule("slow", "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, a + b + c > 0)))"),
        ])], subjects: [Self.subject("a", count: 1)], plan: .map([:]))
        #expect(report.violations.first?.level == .error)
        #expect(report.violations.first?.message.contains("cost") == true, "\(report.violations)")
    }

    @Test func planRulesSeeSummaryReturnsAndMachineTotals() {
        let template = Fixtures.template()
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 1), Fixtures.fleet("batch", count: 4)])
        let plan = Plan(actions: [
            PlannedAction(verb: .return, resource: ResourceID(.fleet, "workers"), reason: .scaleDown, provider: "here",
                          template: "worker", templateHash: template.specHash, machines: ["w-1", "w-2", "w-3"]),
            PlannedAction(verb: .provision, resource: ResourceID(.fleet, "batch"), reason: .scaleUp, provider: "here",
                          template: "worker", templateHash: template.specHash, count: 4),
        ])
        let recorded = (1...4).map { Fixtures.record(Fixtures.machine("w-\($0)")) }
        let value = PolicyPlanFacts.value(plan: plan, desired: desired, recorded: recorded)
        let rules = [
            Self.rule("returns", "size(plan.returns) == 3 && plan.summary['return'] == 3 && plan.summary.provision == 4", scope: .plan),
            Self.rule("totals", "plan.machines.total == 5 && plan.machines.byTemplate.worker == 5 && plan.machines.byProvider['here'] == 5",
                      scope: .plan),
            Self.rule("current", "plan.machines.current.total == 4", scope: .plan),
            Self.rule("actions", "plan.actions.exists(a, a.verb == 'provision' && a.name == 'batch' && a.count == 4)", scope: .plan),
            Self.rule("changes", "plan.changes == 2 && plan.returns.all(r, r.fleet == 'workers' && r.reason == 'scale-down')", scope: .plan),
        ]
        let report = PolicyEvaluator().evaluate([Self.policy(.advisory, rules)], subjects: [], plan: value)
        #expect(report.evaluations == 5)
        #expect(report.violations.map(\.rule) == rules.map(\.name), "every fact holds: \(report.violations)")
        #expect(report.violations.allSatisfy { $0.resource == nil && $0.location == SourceLocation(file: "p.yaml", line: 7, column: 7) })
    }

    @Test func thePlanSchemaCatchesAMisspeltFieldAndTheReservedWord() {
        #expect(throws: ExpressionError.self) { try PolicyExpression(parsing: "plan.machines.totl > 3", schema: PolicyPlanFacts.schema) }
        #expect(throws: ExpressionError.self) { try PolicyExpression(parsing: "plan.summary.return > 3", schema: PolicyPlanFacts.schema) }
        #expect(throws: Never.self) { try PolicyExpression(parsing: "plan.summary['return'] > 3", schema: PolicyPlanFacts.schema) }
        let fleet = PolicyObservedFacts.resourceSchema(kind: .fleet, specFields: ["template", "count"])
        #expect(throws: ExpressionError.self) { try PolicyExpression(parsing: "spec.cuont > 3", schema: fleet) }
        #expect(throws: Never.self) { try PolicyExpression(parsing: "spec.count > 3 && observed.running < 2", schema: fleet) }
    }

    @Test func observedFactsCountMachinesAndTasksByState() {
        let observed = ObservedState(machines: [
            Fixtures.machine("a", fleet: "w", state: .running), Fixtures.machine("b", fleet: "w", state: .pending),
            Fixtures.machine("c", fleet: "w", state: .unhealthy), Fixtures.machine("d", fleet: "x", state: .running),
        ])
        let machines = FleetMachine.merge(observed: observed, recorded: observed.machines.map { Fixtures.record($0) })
        #expect(PolicyObservedFacts.fleet("w", machines: machines)
                == .map(["machines": .int(3), "running": .int(1), "pending": .int(1), "unhealthy": .int(1), "terminating": .int(0),
                         "lost": .int(0)]))
    }

    @Test(arguments: [
        ("work*", "workers", true), ("work*", "work", true), ("work*", "batch", false), ("*-gpu", "a-gpu", true),
        ("?pu", "gpu", true), ("?pu", "gppu", false), ("[abc]-*", "b-1", true), ("[!abc]-*", "b-1", false),
        ("[a-c]x", "cx", true), ("[a-c]x", "dx", false), ("*", "", true), ("a*b*c", "aXbYc", true), ("a*b*c", "aXbY", false),
        ("exact", "exact", true), ("exact", "exactly", false), ("[", "[", true),
    ])
    func namesMatchGlobs(_ pattern: String, _ name: String, _ expected: Bool) {
        #expect(NameGlob(pattern).matches(name) == expected)
    }

    @Test func anExpressionSiteMapsOffsetsToTheFile() {
        let positions = (0..<5).map { SourceLocation(file: "p.yaml", line: 9, column: 14 + $0) }
        let site = ExpressionSite(start: SourceLocation(file: "p.yaml", line: 9, column: 13), positions: positions)
        #expect(site.location(ofOffset: 2) == SourceLocation(file: "p.yaml", line: 9, column: 16))
        #expect(site.location(ofOffset: 5) == SourceLocation(file: "p.yaml", line: 9, column: 19), "just past the end")
        #expect(ExpressionSite(start: SourceLocation(file: "p.yaml", line: 9, column: 13)).location(ofOffset: 3)
                == SourceLocation(file: "p.yaml", line: 9, column: 13), "unknown: the scalar's start")
    }

    @Test func aValueThatWouldUnfoldIntoGigabytesIsStoppedInMessagesAndString() {
        // Each map doubles a list that shares its storage: cheap to build, 2^40 leaves to print.
        let doubling = "[1]" + String(repeating: ".map(a, [a, a])", count: 40)
        let report = PolicyEvaluator(budget: 100_000).evaluate([Self.policy(.advisory, [
            Self.rule("loud", "true", message: "{{ \(doubling) }}"),
            Self.rule("converted", "size(string(\(doubling))) > 0"),
        ])], subjects: [Self.subject("a", count: 1)], plan: .map([:]))
        #expect(report.violations.count == 2)
        #expect(report.violations[0].message.hasPrefix("<error: "), "\(report.violations[0].message.prefix(80))")
        #expect(report.violations[1].level == .error)
        #expect(report.violations.allSatisfy { $0.message.count < 2_100 })
    }

    @Test func anErrorInAWarnRuleIsReportedButNeverBlocks() {
        let report = PolicyEvaluator().evaluate([Self.policy(.hardMandatory, [
            Self.rule("parallel", "spec.parallelism > 4", effect: .warn),
        ])], subjects: [Self.subject("a", count: 1)], plan: .map([:]))
        #expect(report.violations.first?.level == .error)
        #expect(report.violations.first?.isBlocking == false)
        #expect(!report.blocks(overridden: false))
    }

    @Test func aRunningWorkflowStepsCountIsTheFleetCountPoliciesSee() {
        var desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 0)])
        desired.documents[ResourceID(.fleet, "workers")] = .map(["template": .string("worker"), "count": .int(0)])
        desired.fleets["workers"]?.count = 500  // what a running provision step sets
        let subjects = PolicyObservedFacts.subjects(desired: desired, machines: [], tasks: [])
        let report = PolicyEvaluator().evaluate([Self.policy(.hardMandatory, [Self.rule("cap", "spec.count > 50")])],
                                                subjects: subjects, plan: .map([:]))
        #expect(report.violations.map(\.resource) == [ResourceID(.fleet, "workers")])
    }

    @Test func mergingTwoChecksKeepsEachViolationOnce() {
        let policies = [Self.policy(.softMandatory, [Self.rule("cap", "spec.count > 5")])]
        let first = PolicyEvaluator().evaluate(policies, subjects: [Self.subject("big", count: 9)], plan: .map([:]))
        let second = PolicyEvaluator().evaluate(policies, subjects: [Self.subject("big", count: 9), Self.subject("huge", count: 90)],
                                                plan: .map([:]))
        let merged = first.merged(with: second)
        #expect(merged.violations.compactMap(\.resource?.name) == ["big", "huge"])
    }
}
