public import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// Every policy of the configuration against a plan and the snapshot it came from.
    public static func checkPolicies(_ plan: Plan, snapshot: Snapshot) -> PolicyReport {
        let desired = snapshot.desired
        guard !desired.policies.isEmpty else { return PolicyReport() }
        let subjects = PolicyObservedFacts.subjects(desired: desired, machines: snapshot.machines, tasks: snapshot.tasks)
        let planValue = PolicyPlanFacts.value(plan: plan, desired: desired, recorded: snapshot.recorded.map(\.recorded))
        return PolicyEvaluator().evaluate(Array(desired.policies.values), subjects: subjects, plan: planValue)
    }

    /// The blocking violations of `report` that no override recorded for this configuration
    /// revision lets through (a soft-mandatory one an operator overrode with `apply
    /// --policy-override` stays overridden for the daemon until the configuration changes).
    public func unresolvedDenials(_ report: PolicyReport, revision: String) async throws -> [PolicyViolation] {
        let blocking = report.blocking
        guard blocking.contains(where: \.isOverridable) else { return blocking }
        let overridden = try await store.policyOverrideKeys(revision: revision)
        return blocking.filter { violation in
            !(violation.isOverridable && overridden.contains("\(ResourceID(.policy, violation.policy))|\(violation.subjectKey)"))
        }
    }

    /// Journals that `actor` (this reconciler's when nil) let a plan through despite
    /// soft-mandatory violations, with why: one event per overridden violation, before any
    /// action of the plan is carried out.
    public func recordPolicyOverride(_ report: PolicyReport, reason: String, configRevision: String, actor: String? = nil) async throws {
        let now = clock.now()
        let who = actor ?? self.actor
        for violation in report.blocking where violation.isOverridable {
            try await store.recordEvent(resource: ResourceID(.policy, violation.policy).description, subject: violation.subjectKey,
                                        from: violation.level.rawValue, to: "overridden",
                                        cause: "overridden by \(who): \(reason) (config \(configRevision.prefix(12)))", at: now)
        }
    }
}
