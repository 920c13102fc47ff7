public import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// `status`: the configuration against what the providers and schedulers report now (with
    /// `refresh: false`, against the journal), and the plan of now. Writes nothing.
    public func status(of configured: DesiredState, refresh: Bool = true) async throws -> StatusView {
        let snapshot = try await snapshot(of: configured, refresh: refresh)
        var plan: Plan?
        var problems: [Diagnostic] = []
        do { plan = try self.plan(snapshot, allowEmpty: false).plan } catch { problems = error.diagnostics }
        return StatusView(report: try await statusReport(snapshot, plan: plan), problems: problems, snapshot: snapshot, plan: plan)
    }

    /// The snapshot's status report, with a row per workflow from the journal's runs. A
    /// snapshot that did not ask the providers and schedulers (a follower's) shows them as the
    /// journal last recorded them, so it says what the leader's `status` said.
    public func statusReport(_ snapshot: Snapshot, plan: Plan?) async throws -> StatusReport {
        var snapshot = snapshot
        if !snapshot.refreshed {
            for record in try await store.resources() where [.provider, .scheduler].contains(record.kind) {
                guard let ready = record.conditions.first(where: { $0.type == "Ready" }),
                      ready.status == "False", ready.reason == StatusReport.Health.degraded.rawValue else { continue }
                if record.kind == .provider {
                    snapshot.observed.unreachableProviders[record.name] = ready.message
                } else {
                    snapshot.observed.unreachableSchedulers[record.name] = ready.message
                }
            }
        }
        var due: [String: String] = [:]
        for (workflow, decision) in try await dueWorkflowRuns(snapshot.configured) {
            due[workflow] = Self.dueReason(decision)
        }
        return snapshot.statusReport(plan: plan, workflowRuns: try await store.workflowRuns(), dueWorkflows: due)
    }

    /// `status` without a state: nothing is owned yet, so the plan is made against an empty world.
    public static func status(withoutState configured: DesiredState, now: Instant) -> StatusView {
        var snapshot = Snapshot(desired: configured.applying([]), now: now)
        snapshot.configured = configured
        var plan: Plan?
        var problems: [Diagnostic] = []
        do { plan = try Planner().plan(snapshot.planInput(allowEmpty: false)) } catch { problems = error.diagnostics }
        var due: [String: String] = [:]
        for workflow in configured.workflows.values {
            let decision = WorkflowTriggers().decide(workflow, runs: [], since: now, now: now)
            if !(decision.starts.isEmpty && decision.held.isEmpty) { due[workflow.name] = dueReason(decision) }
        }
        return StatusView(report: snapshot.statusReport(plan: plan, workflowRuns: [], dueWorkflows: due), problems: problems,
                          snapshot: snapshot, plan: plan)
    }

    static func dueReason(_ decision: WorkflowTriggers.Decision) -> String {
        (decision.starts.map(\.reason) + decision.held).joined(separator: "; ")
    }
}
