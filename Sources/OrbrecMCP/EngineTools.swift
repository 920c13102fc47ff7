internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecAPI

/// The tools that ask the engine: status, resources and the plan preview. None of them takes
/// the state lock or writes the journal, and none creates a state.
struct EngineTools: Sendable {
    let backend: any MCPBackend

    /// `list_resources`.
    func listResources() async throws -> ResourcesAnswer {
        let (desired, report, problems) = try await statusReport()
        let rows = Dictionary(report.rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let declared = desired.resources
        let declaredIDs = Set(declared.map(\.id))
        var documents = declared.map { ResourceDocument(id: $0.id, declaration: $0, row: rows[$0.id]) }
        documents += report.rows.filter { !declaredIDs.contains($0.id) }.map { ResourceDocument(id: $0.id, declaration: nil, row: $0) }
        return ResourcesAnswer(resources: documents, problems: problems.map(DiagnosticDocument.init), revision: desired.revision)
    }

    /// `status`: `orbrec status --json`.
    func status() async throws -> StatusDocument {
        let (_, report, problems) = try await statusReport()
        return StatusDocument(report: report, problems: problems)
    }

    /// As `orbrec status`: the providers and schedulers are asked, nothing is written back.
    func statusReport() async throws -> (DesiredState, StatusReport, [Diagnostic]) {
        let desired = try backend.desired()
        let view = if let store = try await backend.openExistingStore() {
            try await backend.reconciler(for: store).status(of: desired)
        } else {
            Reconciler.status(withoutState: desired, now: SystemClock().now())
        }
        return (desired, view.report, view.problems)
    }

    /// `plan_preview`: `orbrec plan --json` without its side effects. The snapshot is taken
    /// with `sync: false` (nothing observed is written back, no workflow run starts), no
    /// action is journaled, no lock is taken, and without a state none is created: with no
    /// state nothing can be owned yet, so the plan is made against an empty world.
    func planPreview(allowEmpty: Bool) async throws -> PlanDocument {
        let desired = try backend.desired()
        if let store = try await backend.openExistingStore() {
            let reconciler = backend.reconciler(for: store)
            let snapshot = try await reconciler.snapshot(of: desired, refresh: true, sync: false)
            let result: PlanResult
            do throws(PlanFailure) {
                result = try reconciler.plan(snapshot, allowEmpty: allowEmpty)
            } catch {
                throw ToolFailure(.planFailed, "no plan could be made", diagnostics: error.diagnostics)
            }
            var document = PlanDocument(result, stateID: store.stateID)
            if !desired.workflows.isEmpty { document.workflowRuns = try await PlanDocument.workflowRuns(reconciler, configured: desired) }
            return document
        }
        let snapshot = Snapshot(desired: desired, now: SystemClock().now())
        let plan: Plan
        do throws(PlanFailure) {
            plan = try Planner().plan(snapshot.planInput(allowEmpty: allowEmpty))
        } catch {
            throw ToolFailure(.planFailed, "no plan could be made", diagnostics: error.diagnostics)
        }
        let result = PlanResult(plan: plan, scheduled: plan.actions.map { ScheduledAction($0) }, snapshot: snapshot,
                                policy: Reconciler.checkPolicies(plan, snapshot: snapshot))
        return PlanDocument(result, stateID: "")
    }
}
