import Foundation
import Testing

/// Policies checked on real plans and applies of local machines: pass, warn, soft-fail with
/// and without an override, hard-fail, plan rules, `policy test` and the shipped set.
@Suite struct PolicyEndToEndTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A policy capping fleets at `cap` machines, at the given enforcement.
    func writeCap(_ h: Harness, cap: Int, enforcement: String, effect: String = "deny") throws {
        try h.write("policies/cap.yaml", """
            apiVersion: orbrec/v1
            kind: Policy
            metadata: {name: size-cap}
            spec:
              enforcement: \(enforcement)
              rules:
                - name: fleet-cap
                  match: {kinds: [Fleet], names: ["work*"]}
                  \(effect): "spec.count > \(cap)"
                  message: "fleet {{metadata.name}} asks for {{spec.count}} machines; the cap is \(cap)"
            """)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    func policySection(_ result: Harness.Result) throws -> [String: Any] {
        try #require(try json(result.stdout)["policy"] as? [String: Any])
    }

    @Test func aPlanWithinEveryPolicyPasses() throws {
        let h = try Harness()
        try h.writeFleet(count: 2)
        try writeCap(h, cap: 5, enforcement: "hard-mandatory")
        let plan = try h.orbrec("plan")
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("Policy checks passed: 1 policy, 1 rule(s), 1 check(s)."), "\(plan.stdout)")
        let document = try policySection(try h.orbrec("plan", "--json"))
        #expect((document["violations"] as? [Any])?.isEmpty == true)
        #expect(document["blocked"] as? Bool == false)
        #expect(document["evaluations"] as? Int == 1)
        let apply = try h.orbrec("apply", "--auto-approve")
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(try h.runningMachines().count == 2)
    }

    @Test func aWarningIsReportedWithTheResourcesFileAndLineAndBlocksNothing() throws {
        let h = try Harness()
        try h.writeFleet(count: 3)
        try writeCap(h, cap: 2, enforcement: "hard-mandatory", effect: "warn")
        let plan = try h.orbrec("plan")
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("Policy/size-cap (hard-mandatory): 1 warning(s)"), "\(plan.stdout)")
        #expect(plan.stdout.contains("fleet-cap: Fleet/workers (\(h.config)/workers.yaml:1:1): fleet workers asks for 3 machines; the cap is 2"),
                "\(plan.stdout)")
        let violations = try #require(try policySection(try h.orbrec("plan", "--json"))["violations"] as? [[String: Any]])
        #expect(violations.count == 1)
        #expect(violations.first?["code"] as? String == "policy-warn")
        #expect(violations.first?["blocking"] as? Bool == false)
        #expect(violations.first?["resource"] as? String == "Fleet/workers")
        #expect(violations.first?["rule_location"] as? String == "\(h.config)/policies/cap.yaml:7:7")
        let apply = try h.orbrec("apply", "--auto-approve")
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(try h.runningMachines().count == 3)
    }

    @Test func anAdvisoryDenialIsReportedAndBlocksNothing() throws {
        let h = try Harness()
        try h.writeFleet(count: 3)
        try writeCap(h, cap: 2, enforcement: "advisory")
        let plan = try h.orbrec("plan", "--detailed-exitcode")
        #expect(plan.status == 2, "changes, and nothing that blocks: \(plan.stderr)")
        #expect(plan.stdout.contains("Policy check passed with advisories"), "\(plan.stdout)")
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(try h.runningMachines().count == 3)
    }

    @Test func aSoftMandatoryDenialBlocksApplyWithExitThreeAndNothingIsApplied() throws {
        let h = try Harness()
        try h.writeFleet(count: 4)
        try writeCap(h, cap: 2, enforcement: "soft-mandatory")
        let plan = try h.orbrec("plan")
        #expect(plan.status == 3, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("1 soft-mandatory violation(s) block apply"), "\(plan.stdout)")
        let document = try policySection(try h.orbrec("plan", "--json"))
        #expect(document["blocked"] as? Bool == true)
        let violation = try #require((document["violations"] as? [[String: Any]])?.first)
        #expect(violation["code"] as? String == "policy-deny")
        #expect(violation["enforcement"] as? String == "soft-mandatory")
        #expect(violation["overridable"] as? Bool == true)
        #expect(violation["location"] as? String == "\(h.config)/workers.yaml:1:1")

        let apply = try h.orbrec("apply", "--auto-approve")
        #expect(apply.status == 3, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stderr.contains("a policy denied the plan; nothing was applied"))
        #expect(h.machineProcesses(stateID: try h.stateID()).isEmpty, "no machine was started")
        let history = try json("{\"rows\": \(try h.orbrec("history", "--json").stdout)}")
        #expect((history["rows"] as? [Any])?.isEmpty == true, "no action was journaled")
        // Previewing with the override shows the plan as the overriding apply would judge it.
        #expect(try h.orbrec("plan", "--policy-override", "preview").status == 0)
    }

    @Test func anOverrideLetsASoftMandatoryDenialThroughAndIsJournaledWithWhoAndWhy() throws {
        let h = try Harness()
        try h.writeFleet(count: 4)
        try writeCap(h, cap: 2, enforcement: "soft-mandatory")
        let apply = try h.orbrec("apply", "--auto-approve", "--policy-override", "CHG-1234 approved by ops")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("Policy check overridden: 1 soft-mandatory violation(s), overridden (\"CHG-1234 approved by ops\")"),
                "\(apply.stdout)")
        #expect(try h.runningMachines().count == 4)
        let overrides = try #require(try JSONSerialization.jsonObject(with: Data(try h.orbrec("policy", "overrides", "--json").stdout.utf8))
            as? [[String: Any]])
        #expect(overrides.count == 1)
        let entry = try #require(overrides.first)
        #expect(entry["policy"] as? String == "Policy/size-cap")
        #expect(entry["subject"] as? String == "fleet-cap Fleet/workers")
        let cause = try #require(entry["cause"] as? String)
        #expect(cause.contains("CHG-1234 approved by ops"))
        // Who: user@host, as every journaled action names its actor.
        let who = try #require(cause.split(separator: " ").dropFirst(2).first)
        #expect(cause.hasPrefix("overridden by ") && who.contains("@") && who.hasSuffix(":"), "\(cause)")
        // An empty reason is no reason.
        #expect(try h.orbrec("apply", "--auto-approve", "--policy-override", " ").status == 1)
    }

    @Test func aHardMandatoryDenialBlocksEvenWithAnOverride() throws {
        let h = try Harness()
        try h.writeFleet(count: 4)
        try writeCap(h, cap: 2, enforcement: "hard-mandatory")
        let apply = try h.orbrec("apply", "--auto-approve", "--policy-override", "please")
        #expect(apply.status == 3, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("1 hard-mandatory violation(s) block apply; no override lifts them"), "\(apply.stdout)")
        #expect(h.machineProcesses(stateID: try h.stateID()).isEmpty)
        let overrides = try h.orbrec("policy", "overrides")
        #expect(overrides.stdout.contains("No policy overrides."), "nothing was overridden: \(overrides.stdout)")
    }

    @Test func aPlanRuleStopsAMassReturn() throws {
        let h = try Harness()
        try h.writeFleet(count: 4)
        try h.write("policies/returns.yaml", """
            apiVersion: orbrec/v1
            kind: Policy
            metadata: {name: no-mass-return}
            spec:
              enforcement: soft-mandatory
              rules:
                - name: mass-return
                  scope: plan
                  deny: "size(plan.returns) > 2 || plan.summary['return'] > 2"
                  message: "this plan returns {{size(plan.returns)}} machines at once"
            """)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        try h.writeFleet(count: 1)
        let plan = try h.orbrec("plan")
        #expect(plan.status == 3, "\(plan.stdout)")
        #expect(plan.stdout.contains("mass-return: plan (\(h.config)/policies/returns.yaml:7:7): this plan returns 3 machines at once"),
                "\(plan.stdout)")
        #expect(try h.orbrec("apply", "--auto-approve").status == 3)
        #expect(try h.runningMachines().count == 4, "nothing was returned")
        try h.writeFleet(count: 2)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0, "two returns are within the rule")
        #expect(try h.runningMachines().count == 2)
    }

    @Test func aRuleThatCannotBeEvaluatedFailsClosed() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        try h.write("policies/owner.yaml", """
            apiVersion: orbrec/v1
            kind: Policy
            metadata: {name: owners}
            spec:
              enforcement: soft-mandatory
              rules:
                - name: owner-is-cfd
                  match: {kinds: [Fleet]}
                  deny: "metadata.labels.owner != 'cfd'"
            """)
        let plan = try h.orbrec("plan", "--json")
        #expect(plan.status == 3)
        let violation = try #require((try policySection(plan)["violations"] as? [[String: Any]])?.first)
        #expect(violation["code"] as? String == "policy-error")
        #expect((violation["message"] as? String)?.contains("could not be evaluated for Fleet/workers") == true, "\(violation)")
        #expect((violation["message"] as? String)?.contains("owner") == true, "\(violation)")
    }

    @Test func anInvalidPolicyIsReportedAtItsLineAndColumnAndNothingIsPlanned() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        try h.write("policies/bad.yaml", """
            apiVersion: orbrec/v1
            kind: Policy
            metadata: {name: bad}
            spec:
              enforcement: hard-mandatory
              rules:
                - name: typo
                  match: {kinds: [Fleet]}
                  deny: "spec.cuont > 3"
                - name: syntax
                  deny: 'size(metadata.labels) >'
            """)
        let plan = try h.orbrec("plan")
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("policies/bad.yaml:9:19: error: spec.rules[0].deny: no field 'cuont' in Fleet spec; did you mean 'count'?"),
                "\(plan.stderr)")
        #expect(plan.stderr.contains("policies/bad.yaml:11:"), "\(plan.stderr)")
        #expect(plan.stderr.contains("nothing was planned or applied"))
        #expect(!FileManager.default.fileExists(atPath: h.state))
    }

    @Test func policyTestAsksNoProviderAndExitsThreeOnABlockingFailure() throws {
        let h = try Harness()
        // A provider that cannot be reached (no credentials, a closed port): policy test must
        // not need it.
        try h.write("aws.yaml", """
            apiVersion: orbrec/v1
            kind: Provider
            metadata: {name: cloud}
            spec: {type: aws, region: us-east-1, endpoint: "http://127.0.0.1:9"}
            ---
            apiVersion: orbrec/v1
            kind: Template
            metadata: {name: big}
            spec: {provider: cloud, imageId: ami-12345678, instanceType: m5.24xlarge}
            ---
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: workers, labels: {owner: cfd}}
            spec: {template: big, count: 3}
            """)
        let started = Date()
        let result = try h.run(["policy", "test", h.config, "--policies", Self.repository + "/policies", "--state", h.state],
                               environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("instance-type-allowed: Template/big"), "\(result.stdout)")
        #expect(result.stdout.contains("m5.24xlarge, which is not an allowed instance type"), "\(result.stdout)")
        #expect(result.stdout.contains("✓ fleet-size-cap: passed for 1 resource(s)"), "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: h.state), "policy test creates no state")
        let document = try json(try h.run(["policy", "test", h.config, "--policies", Self.repository + "/policies", "--json",
                                           "--state", h.state]).stdout)
        let counts = try #require(document["counts"] as? [String: Int])
        #expect(counts["failures"] == 1)
        #expect(counts["blocking"] == 1)
        #expect(document["blocked"] as? Bool == true)
    }

    @Test func theShippedPoliciesPassTheExamples() throws {
        for example in ["quickstart", "tasks", "workflow"] {
            let h = try Harness()
            let result = try h.run(["policy", "test", Self.repository + "/examples/" + example, "--policies", Self.repository + "/policies",
                                    "--state", h.state])
            #expect(result.status == 0, "examples/\(example): \(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("0 failure(s), 0 error(s)"), "examples/\(example): \(result.stdout)")
        }
    }

    @Test func aPoliciesDirectoryHoldsOnlyPolicies() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        let extra = h.directory + "/extra"
        try FileManager.default.createDirectory(atPath: extra, withIntermediateDirectories: true)
        try """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: sneaky}
            spec: {template: sleeper, count: 1}
            """.write(toFile: extra + "/fleet.yaml", atomically: true, encoding: .utf8)
        let result = try h.orbrec("validate", "--policies", extra)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(extra)/fleet.yaml:3:18: error: Fleet 'sneaky' is in a policies directory"), "\(result.stderr)")
    }

    func writeNoMassReturn(_ h: Harness, over limit: Int) throws {
        try h.write("policies/returns.yaml", """
            apiVersion: orbrec/v1
            kind: Policy
            metadata: {name: no-mass-return}
            spec:
              enforcement: soft-mandatory
              rules:
                - name: mass-return
                  scope: plan
                  deny: "size(plan.returns) > \(limit)"
                  message: "this plan returns {{size(plan.returns)}} machines at once"
            """)
    }

    @Test func aSavedPlanIsJudgedByTheActionsItCarriesOut() throws {
        let h = try Harness()
        try h.writeFleet(count: 4)
        try writeNoMassReturn(h, over: 2)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        try h.writeFleet(count: 1)
        let plan = try h.orbrec("plan", "--out", h.directory + "/plan.json")
        #expect(plan.status == 3, "the saved plan is written and its denial reported: \(plan.stdout)")
        let apply = try h.orbrec("apply", h.directory + "/plan.json")
        #expect(apply.status == 3, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("this plan returns 3 machines at once"), "\(apply.stdout)")
        #expect(try h.runningMachines().count == 4, "nothing was returned")
        let overridden = try h.orbrec("apply", h.directory + "/plan.json", "--policy-override", "shrinking for the weekend")
        #expect(overridden.status == 0, "\(overridden.stdout)\(overridden.stderr)")
        #expect(try h.runningMachines().count == 1)
    }

    @Test func aManualReturnOfManyMachinesIsAPlanToo() throws {
        let h = try Harness()
        try h.writeFleet(count: 4)
        try writeNoMassReturn(h, over: 2)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        let machines = try h.runningMachines().sorted()
        let refused = try h.orbrec(["machines", "return"] + machines)
        #expect(refused.status == 3, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("a policy denied the return; nothing was returned"))
        #expect(try h.runningMachines().count == 4)
        let one = try h.orbrec(["machines", "return", machines[0]])
        #expect(one.status == 0, "one is within the rule: \(one.stdout)\(one.stderr)")
        let overridden = try h.orbrec(["machines", "return", "--policy-override", "decommissioning the rack"] + Array(machines.suffix(3)))
        #expect(overridden.status == 0, "\(overridden.stdout)\(overridden.stderr)")
        let overrides = try h.orbrec("policy", "overrides")
        #expect(overrides.stdout.contains("decommissioning the rack"), "\(overrides.stdout)")
    }

    /// Machine requests given back whole (`--all --template`, `--request`) pass the same check
    /// as a return of chosen machines (`Reconciler.admitWithdrawal`), on the machines they hold:
    /// denied, nothing is withdrawn; overridden, the override is journaled and they are withdrawn.
    @Test func requestsGivenBackWholeAreJudgedOnWhatTheyHold() throws {
        let h = try Harness()
        try MachineRequestTests.writeTemplate(h)
        try writeNoMassReturn(h, over: 2)
        let two = try #require(try MachineRequestTests.request(h, "sleeper", "2")["request_id"] as? String)
        let one = try #require(try MachineRequestTests.request(h, "sleeper", "1")["request_id"] as? String)
        #expect(try h.runningMachines().count == 3)
        let refused = try h.orbrec("machines", "return", "--all", "--template", "sleeper")
        #expect(refused.status == 3, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("a policy denied the return; nothing was returned"), "\(refused.stderr)")
        #expect(refused.stdout.contains("this plan returns 3 machines at once") && !refused.stdout.contains("withdrawn:"), "\(refused.stdout)")
        #expect(try h.runningMachines().count == 3, "nothing was returned")
        let overridden = try h.orbrec("machines", "return", "--all", "--template", "sleeper", "--policy-override", "end of the campaign")
        #expect(overridden.status == 0, "\(overridden.stdout)\(overridden.stderr)")
        #expect(overridden.stdout.contains("Policy check overridden:") && overridden.stdout.contains("withdrawn: \(two), \(one)"),
                "\(overridden.stdout)")
        #expect(try h.runningMachines().isEmpty)
        #expect(try h.orbrec("policy", "overrides").stdout.contains("end of the campaign"))
        // A request that holds nothing any more is withdrawn again without a plan to judge.
        let again = try h.orbrec("machines", "return", "--request", one)
        #expect(again.status == 0 && again.stdout.contains("withdrawn: \(one)") && !again.stdout.contains("Policy"), "\(again.stdout)\(again.stderr)")
        let unknown = try h.orbrec("machines", "return", "--request", "req-nope")
        #expect(unknown.status == 1 && unknown.stderr.contains("no machine request req-nope (unknown-request)"), "\(unknown.stderr)")
    }

    @Test func theWorkflowExampleRunsUnderTheShippedPolicies() throws {
        let h = try Harness()
        let example = try String(contentsOfFile: Self.repository + "/examples/workflow/orbrec.yaml", encoding: .utf8)
        try h.write("orbrec.yaml", example)
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "90s", "--policies", Self.repository + "/policies")
        #expect(apply.status == 0, "the run's own pools pass the shipped set too: \(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("of Workflow/nightly succeeded"), "\(apply.stdout)")
        #expect(!apply.stdout.contains("Policy check failed"))
    }

    @Test func aWorkflowCannotAskForMoreThanACapAllows() throws {
        let h = try Harness()
        let example = try String(contentsOfFile: Self.repository + "/examples/workflow/orbrec.yaml", encoding: .utf8)
        try h.write("orbrec.yaml", example.replacingOccurrences(of: "count: 2, waitReady: true", with: "count: 60, waitReady: true"))
        let apply = try h.orbrec("apply", "--auto-approve", "--policies", Self.repository + "/policies")
        #expect(apply.status == 3, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("fleet workers asks for 60 machines; the cap is 50"), "\(apply.stdout)")
        #expect(h.machineProcesses(stateID: try h.stateID()).isEmpty)
    }
}
