internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore

extension Session {
    /// The resources' status rows as `status` makes them (the configuration against what
    /// providers and schedulers report, and the plan of now), for `get` and `describe`.
    /// Read-only: the journal is not written. Plan problems leave the rows without planned actions.
    func resourceStatus(_ desired: DesiredState, store: StateStore?) async throws -> (report: StatusReport, snapshot: Snapshot) {
        var snapshot = Snapshot(desired: desired)
        var planned: Plan?
        if let store {
            let reconciler = reconciler(store)
            snapshot = try await reconciler.snapshot(of: desired)
            planned = try? reconciler.plan(snapshot, allowEmpty: false).plan
        } else {
            planned = try? Planner().plan(snapshot.planInput(allowEmpty: false))
        }
        let report = StatusReport(desired: snapshot.desired, machines: snapshot.machines, plan: planned,
                                  unreachableProviders: snapshot.observed.unreachableProviders, tasks: snapshot.tasks,
                                  unreachableSchedulers: snapshot.observed.unreachableSchedulers)
        return (report, snapshot)
    }

    /// A sync value as status colours it.
    func paint(_ sync: StatusReport.Sync) -> String {
        sync == .synced ? terminal.green(sync.rawValue) : terminal.yellow(sync.rawValue)
    }

    /// A health value as status colours it.
    func paint(_ health: StatusReport.Health) -> String {
        switch health {
        case .healthy: terminal.green(health.rawValue)
        case .degraded, .missing: terminal.red(health.rawValue)
        default: terminal.yellow(health.rawValue)
        }
    }
}
