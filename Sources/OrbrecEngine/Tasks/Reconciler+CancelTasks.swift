public import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// Cancels the named tasks of `pool` now (every unfinished one without `keys`), as `orbrec
    /// tasks cancel` does, and answers the outcomes (none when nothing was unfinished). Call under
    /// the state lock. A task no pool has is refused (`unknown-task`), with nothing cancelled.
    ///
    /// An api pool's task is first asked to be cancelled through `cancelTask`, the operation
    /// `DELETE /api/v1/pools/{pool}/tasks/{key}` and MCP's `cancel_task` call, so the journal
    /// records who asked whichever way it came; the cancel carried out here is then the one the
    /// daemon's pass would carry out (`cancel-requested`). A file pool's is `operator-cancel`.
    public func cancelTasks(pool: String, keys: [String], actor: String, configured: DesiredState) async throws -> [ActionOutcome] {
        let snapshot = try await snapshot(of: configured, sync: true)
        // The pool's tasks: those journaled and, for a declared pool, those not yet submitted
        // (an api pool's are the journal's: the snapshot's desired state holds them).
        var statuses = Dictionary(snapshot.tasks.filter { $0.pool == pool }.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for definition in snapshot.desired.pools[pool]?.tasks ?? [] where statuses[definition.key] == nil {
            statuses[definition.key] = TaskStatus(pool: pool, key: definition.key)
        }
        let unknown = keys.filter { statuses[$0] == nil }
        guard unknown.isEmpty else { throw TaskRequestRefused(.unknownTask, "no task \(unknown.map { "\(pool)/\($0)" }.joined(separator: ", "))") }
        var open = statuses.values.filter { !$0.state.isFinished && (keys.isEmpty || keys.contains($0.key)) }
            .sorted { NaturalOrder.less($0.key, $1.key) }
        guard !open.isEmpty else { return [] }
        var reason = ActionReason("operator-cancel")
        if configured.pools[pool]?.isAPI == true {
            reason = .cancelRequested
            var stillOpen: Set<String> = []
            for task in open {
                let asked = try await cancelTask(pool: pool, key: task.key, actor: actor, configured: configured)
                if asked.cancelling { stillOpen.insert(task.key) }
            }
            open.removeAll { !stillOpen.contains($0.key) }
            guard !open.isEmpty else { return [] }
        }
        let scheduler = configured.pools[pool]?.scheduler ?? snapshot.observed.attempts.first { $0.task.pool == pool }?.scheduler ?? ""
        let action = PlannedAction(verb: .cancel, resource: ResourceID(.taskPool, pool), reason: reason, provider: scheduler,
                                   template: "", templateHash: "",
                                   taskAttempts: open.map { TaskAttemptRef(key: $0.key, attempt: $0.attemptsStarted) })
        return try await execute([ScheduledAction(action)], snapshot: snapshot, parallelism: 1)
    }
}
