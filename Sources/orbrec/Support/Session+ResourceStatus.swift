internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore

extension Session {
    /// The resources' status rows as `status` makes them (the configuration against what
    /// providers and schedulers report, and the plan of now), for `get` and `describe`.
    /// Read-only: the journal is not written. Plan problems leave the rows without planned actions.
    func resourceStatus(_ desired: DesiredState, store: StateStore?) async throws -> (report: StatusReport, snapshot: Snapshot) {
        let view = if let store {
            try await reconciler(store).status(of: desired)
        } else {
            Reconciler.status(withoutState: desired, now: SystemClock().now())
        }
        return (view.report, view.snapshot)
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
