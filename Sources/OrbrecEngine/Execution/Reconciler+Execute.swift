internal import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// Journals the actions (intent), then carries them out: resources in parallel up to
    /// `parallelism`, each provider up to its `maxInFlight`, the actions of one resource in
    /// plan order (so rolling waves stay in sequence).
    ///
    /// Once `shouldStop` answers true no further action starts; those not started stay
    /// `planned` for the caller to cancel, and the ones in flight finish.
    public func execute(_ scheduled: [ScheduledAction], snapshot: Snapshot, parallelism: Int,
                        shouldStop: @escaping @Sendable () -> Bool = { false },
                        progress: @escaping @Sendable (ApplyProgress) -> Void = { _ in }) async throws -> [ActionOutcome] {
        guard !scheduled.isEmpty else { return [] }
        let now = clock.now()
        let encoder = PayloadEncoder()
        try await store.recordIntent(scheduled.map { item in
            ActionRecord(id: item.id, idempotencyKey: item.id, verb: item.action.verb, resource: item.action.resource,
                         reason: item.action.reason, detail: item.action.detail, state: .planned, requestId: nil,
                         payload: encoder.encode(item), configRevision: snapshot.desired.revision, actor: actor,
                         createdAt: now, updatedAt: now)
        }, causedBy: try workflowCauses(of: scheduled, desired: snapshot.desired))
        // What new machines are made from, by hash: a later template change can then say which fields it changes.
        let building = Set(scheduled.filter { $0.action.verb == .provision || $0.action.verb == .replace }.map(\.action.template))
        let templates = building.sorted().compactMap { snapshot.desired.templates[$0] }
        if !templates.isEmpty { try await store.recordTemplateHistory(templates, at: now) }
        checkpoint("journal.after-intent")
        let registry = try await registry(for: snapshot.desired)
        var providerIDs: [String: String] = [:]
        for record in snapshot.recorded { if let id = record.providerId { providerIDs[record.id] = id } }
        for machine in snapshot.observed.machines { providerIDs[machine.id] = machine.providerID }
        let states = Dictionary(snapshot.machines.map { ($0.id, $0.state) }, uniquingKeysWith: { first, _ in first })
        let executor = ActionExecutor(store: store, registry: registry, clock: clock, desired: snapshot.desired,
                                      providerIDs: providerIDs, machineStates: states,
                                      checkpoint: checkpoint)
        let taskExecutor = TaskActionExecutor(store: store, schedulers: try await schedulers(for: snapshot.desired), clock: clock,
                                              desired: snapshot.desired, attempts: snapshot.observed.attempts, tasks: snapshot.tasks,
                                              checkpoint: checkpoint)

        var groups: [ResourceID: [ScheduledAction]] = [:]
        var order: [ResourceID] = []
        for item in scheduled {
            if groups[item.action.resource] == nil { order.append(item.action.resource) }
            groups[item.action.resource, default: []].append(item)
        }
        let overall = AsyncSemaphore(parallelism)
        var perProvider: [String: AsyncSemaphore] = [:]
        for name in Set(scheduled.map(\.action.provider)) {
            perProvider[name] = AsyncSemaphore(registry.maxInFlight(of: name))
        }
        let providerLimits = perProvider
        return await withTaskGroup(of: [ActionOutcome].self) { group in
            for resource in order {
                let actions = groups[resource] ?? []
                group.addTask {
                    await overall.run {
                        var outcomes: [ActionOutcome] = []
                        for item in actions {
                            if shouldStop() { break }
                            let limit = providerLimits[item.action.provider] ?? AsyncSemaphore(1)
                            // Checked again once the provider has room: a stop while waiting for it
                            // must not start the action.
                            let outcome: ActionOutcome? = item.action.resource.kind == .taskPool
                                ? await { progress(.started(item)); return await taskExecutor.execute(item) }()
                                : await limit.run {
                                    guard !shouldStop() else { return nil }
                                    progress(.started(item))
                                    return await executor.execute(item)
                                }
                            guard let outcome else { break }
                            progress(.finished(outcome))
                            outcomes.append(outcome)
                        }
                        return outcomes
                    }
                }
            }
            var all: [ActionOutcome] = []
            for await outcomes in group { all += outcomes }
            let position = Dictionary(uniqueKeysWithValues: scheduled.enumerated().map { ($1.id, $0) })
            return all.sorted { (position[$0.id] ?? 0) < (position[$1.id] ?? 0) }
        }
    }
}
