internal import OrbrecCore
internal import OrbrecStore

extension ReconcileLoop {
    /// One pass over `keys`: lock, recover what a stopped process left, observe (journaling
    /// what changed), plan everything, carry out the actions of `keys`, record the outcome,
    /// unlock. A key fails (and backs off) when one of its actions fails or its provider or
    /// scheduler cannot be observed; the whole pass fails when no plan can be made.
    func pass(_ keys: [ResourceID]) async {
        let started = clock.now()
        let scheduledAt = schedule.now()
        let startedAt = ContinuousClock.now
        guard let desired else {
            for key in keys { queue.finish(key, succeeded: true, now: scheduledAt) }
            return
        }
        markProgress()
        status.update { $0.inPass = true }
        defer { status.update { $0.inPass = false } }
        let wanted = Set(keys)
        var failedKeys: Set<ResourceID> = []
        var followUps: Set<ResourceID> = []
        var held: Set<ResourceID> = []
        var passError: String?
        var lockBusy = false
        var stateFailed = false
        do {
            let lockID = try await acquireLock()
            try await withCleanup {
                // A removal right after a change may be half of a multi-file edit (a file moved
                // between directories, a checkout): it waits for the configuration to be quiet.
                let pruneFrom = lastChangeAt.map { $0.adding(options.pruneDelay) }
                let holding = pruneFrom.map { scheduledAt < $0 } ?? false
                var wanted = wanted
                var denials: [String] = []
                let log = self.log
                let metrics = self.metrics
                let journaled = self.journaled
                let progressed: @Sendable () -> Void = { [weak self] in self?.markProgress() }
                let passOptions = ApplyPassOptions(allowEmpty: options.allowEmpty, parallelism: options.parallelism,
                                                   shouldStop: { [weak self] in self?.isStopping ?? true },
                                                   stopReason: "the daemon stopped before it started")
                let pass: ApplyPassResult
                do {
                    pass = try await reconciler.applyPass(desired: desired, options: passOptions, progress: { event in
                        switch event {
                        case .started(let item):
                            journaled()
                            progressed()
                            log.debug("action started", [("id", item.id), ("verb", item.action.verb.rawValue),
                                                         ("resource", item.action.resource.description)])
                        case .finished(let outcome):
                            progressed()
                            metrics.recordAction(verb: outcome.action.verb.rawValue, succeeded: outcome.succeeded)
                            log.emit(outcome.succeeded ? .info : .warning, outcome.succeeded ? "action succeeded" : "action failed",
                                     [("id", outcome.id), ("verb", outcome.action.verb.rawValue),
                                      ("resource", outcome.action.resource.description), ("message", outcome.message)]
                                     + (outcome.requests.isEmpty ? [] : [("requests", outcome.requests.joined(separator: ","))]))
                        case .note(let text), .recovered(let text):
                            log.info(text)
                        case .waiting, .pools:
                            break
                        }
                    }, observed: { snapshot in
                        pools.replace(with: snapshot.desired.pools)
                    }, choose: { result in
                        let snapshot = result.snapshot
                        // What workflow runs add is acted on in every pass: their pools, and the fleets
                        // whose count a run step set.
                        for name in snapshot.desired.pools.keys where desired.pools[name] == nil { wanted.insert(ResourceID(.taskPool, name)) }
                        for (name, fleet) in snapshot.desired.fleets where desired.fleets[name]?.count != fleet.count {
                            wanted.insert(ResourceID(.fleet, name))
                        }
                        // So is what commands asked for: machine requests (fleets of their own, above) and
                        // the machines return requests name, whichever fleet holds them.
                        for machine in snapshot.recorded where snapshot.desired.returning.contains(machine.id) {
                            wanted.insert(ResourceID(.fleet, machine.fleet))
                        }
                        denials = try await reconciler.unresolvedDenials(result.policy, revision: desired.revision).map { violation in
                            "Policy/\(violation.policy) \(violation.rule) \(violation.resource?.description ?? "plan"): \(violation.message)"
                        }
                        await reportPolicyDenials(denials, revision: desired.revision)
                        var scheduled: [ScheduledAction] = []
                        for item in result.scheduled where wanted.contains(item.action.resource) && denials.isEmpty {
                            if holding && item.action.reason == .removedFromConfig {
                                held.insert(item.action.resource)
                            } else {
                                scheduled.append(item)
                            }
                        }
                        if !held.isEmpty {
                            log.info("removal held until the configuration is quiet",
                                     [("resources", held.map(\.description).sorted().joined(separator: ",")), ("for", "\(options.pruneDelay)")])
                        }
                        if !scheduled.isEmpty {
                            log.info("reconciling", [("keys", keys.map(\.description).sorted().joined(separator: ",")),
                                                     ("actions", "\(scheduled.count)")])
                        }
                        return scheduled
                    })
                } catch let failure as PlanFailure {
                    throw PassFailure(message: "no plan could be made: " + failure.diagnostics.map(\.rendered).joined(separator: "; "))
                }
                let outcomes = pass.outcomes
                for outcome in outcomes where !outcome.succeeded { failedKeys.insert(outcome.action.resource) }
                let after = pass.after
                let settled = pass.settled
                // Nil only when a stop came before any action of the pass started: nothing changed.
                if let report = pass.report {
                    status.update {
                        $0.report = report
                        $0.plan = settled
                    }
                }
                failedKeys.formUnion(unobservedKeys(desired, after, among: wanted))
                let planned = Set(settled.scheduled.map(\.action.resource))
                undeclaredKeys = Set(after.known.map(\.id).filter { $0.isReconcileKey }).subtracting(desired.reconcileKeys)
                    .union(planned.subtracting(desired.reconcileKeys))
                followUps = planned.intersection(wanted).subtracting(held)
                // Until the next pass, pools move on events (not while a policy holds the plan).
                do {
                    flow = denials.isEmpty && !isStopping ? try await TaskFlow.make(reconciler, snapshot: after, hearsWorkers: true) : nil
                    flowJournalVersion = try await store.othersChangeCounter()
                } catch {
                    // The pass did its work; pools move by passes until the next one makes a flow.
                    log.warning("cannot make the flow; pools move by passes", [("error", "\(error)")])
                    flow = nil
                }
                flowPools = Set(await flow?.pools ?? [])
                if !outcomes.isEmpty { journaled() }
            } cleanup: {
                await lock.release(lockID)
            }
        } catch let failure as PassFailure {
            passError = failure.message
            lockBusy = failure.lockBusy
            stateFailed = failure.stateFailure
        } catch {
            stateFailed = StateStore.isStateFailure(error)
            passError = stateFailed ? stateFailureMessage(error) : "\(error)"
        }
        let finished = schedule.now()
        stateFailures = stateFailed ? stateFailures + 1 : 0
        let stateRetry = ConfigDuration(milliseconds: min(Self.stateRetryMaximum.milliseconds, 1000 << Int64(min(stateFailures, 8) - 1)))
        if let passError {
            if lockBusy {
                log.info("waiting for the state lock", [("keys", "\(keys.count)"), ("holder", passError)])
            } else if stateFailed {
                // Not the keys' fault: no backoff of theirs grows, and the pass is tried again
                // soon, so work resumes by itself once the state can be written again.
                log.error("reconcile pass failed: the state cannot be used", [("keys", "\(keys.count)"), ("error", passError),
                                                                              ("retry", "\(stateRetry)")])
                markReportUnknown(wanted, because: passError)
            } else {
                failedKeys = wanted
                log.warning("reconcile pass failed", [("keys", "\(keys.count)"), ("error", passError)])
            }
        }
        for key in keys {
            let failed = failedKeys.contains(key)
            queue.finish(key, succeeded: !failed, now: finished)
            if lockBusy {
                // Someone else acting is not this key's failure: try again soon, no backoff.
                queue.add(key, at: finished.adding(ConfigDuration(milliseconds: 1000)))
            } else if stateFailed {
                queue.add(key, at: finished.adding(stateRetry))
            } else if held.contains(key), let until = lastChangeAt?.adding(options.pruneDelay) {
                queue.add(key, at: until)
            } else if !failed && followUps.contains(key) {
                // A plan that stays unfinished (a rolling update's waves, or a machine that dies as
                // soon as it starts) is looked at again sooner, then less often: doubling to 5 s.
                let delay = followUpDelay[key].map { min($0 * 2, 5000) } ?? options.followUp.milliseconds
                followUpDelay[key] = delay
                queue.add(key, at: finished.adding(ConfigDuration(milliseconds: delay)))
            } else {
                followUpDelay[key] = nil
            }
        }
        let seconds = Double((ContinuousClock.now - startedAt).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - startedAt).components.seconds)
        metrics.recordPass(succeeded: passError == nil && failedKeys.isEmpty, seconds: seconds)
        status.update {
            $0.passes += 1
            $0.lastPassAt = started
            $0.lastPassError = lockBusy ? nil : passError
            $0.waitingForLock = lockBusy ? passError : nil
        }
    }

    /// The state lock, asked for once a tenth of a second until the lock timeout; given up
    /// at once when the daemon is told to stop (a CLI apply may hold it for a long time).
    func acquireLock() async throws -> String {
        let deadline = ContinuousClock.now + .milliseconds(options.lockTimeout.milliseconds)
        while true {
            do {
                return try await lock.acquire(ConfigDuration(milliseconds: 0))
            } catch let busy as LockTimeout {
                if isStopping { throw PassFailure(message: "stopping while waiting for the state lock", lockBusy: true) }
                if ContinuousClock.now >= deadline { throw PassFailure(message: busy.description, lockBusy: true) }
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                // The lock row could not be read or written (a full disk): nobody holds it, and
                // waiting for a holder would hide the failure.
                throw PassFailure(message: "cannot take the state lock: " + stateFailureMessage(error), stateFailure: true)
            }
        }
    }

    /// Why the state failed, naming its file.
    func stateFailureMessage(_ error: any Error) -> String { "the state \(store.path) cannot be written or read: \(error)" }

    /// The rows of `keys` in the last report are no longer known to be true: shown as
    /// `Unknown` with the reason until a pass succeeds, never as the old count `Synced`.
    func markReportUnknown(_ keys: Set<ResourceID>, because reason: String) {
        status.update { current in
            guard var report = current.report else { return }
            for index in report.rows.indices where keys.contains(report.rows[index].id) {
                report.rows[index].sync = .unknown
                report.rows[index].health = .unknown
                report.rows[index].message = "last pass failed: \(reason)"
            }
            current.report = report
        }
    }

    /// Keys whose provider or scheduler could not be observed: their plan was made blind.
    /// A fleet removed from the configuration counts when a machine it still holds is on
    /// an unreachable provider, so its return is tried again (with backoff), not forgotten.
    func unobservedKeys(_ desired: DesiredState, _ snapshot: Snapshot, among keys: Set<ResourceID>) -> Set<ResourceID> {
        let observed = snapshot.observed
        return keys.filter { key in
            switch key.kind {
            case .fleet:
                if let fleet = desired.fleets[key.name] {
                    return desired.provider(of: fleet).map { observed.unreachableProviders[$0.name] != nil } ?? false
                }
                return snapshot.machines.contains { $0.fleet == key.name && observed.unreachableProviders[$0.provider] != nil }
            case .taskPool:
                return desired.pools[key.name].map { observed.unreachableSchedulers[$0.scheduler] != nil } ?? false
            default:
                return false
            }
        }
    }

    /// Logs and journals blocking policy violations when they change (not on every pass),
    /// and shows them in `/readyz`.
    func reportPolicyDenials(_ denials: [String], revision: String) async {
        let previous = status.current.policyDenials
        guard denials != previous else { return }
        status.update { $0.policyDenials = denials }
        if denials.isEmpty {
            log.info("policy checks pass again; acting on the plan")
            await recordEvent(to: "policy-passed", cause: "no blocking policy violation", revision: revision)
        } else {
            log.warning("a policy denied the plan; nothing is carried out", [("violations", denials.joined(separator: "; "))])
            await recordEvent(to: "policy-denied", cause: denials.joined(separator: "; "), revision: revision)
        }
    }

    /// Appends a configuration event to the journal (and so to the event stream).
    func recordEvent(to state: String, cause: String, revision: String?) async {
        do {
            try await store.recordEvent(resource: "configuration", subject: "configuration/\(revision.map { String($0.prefix(12)) } ?? "none")",
                                        from: nil, to: state, cause: cause, at: clock.now())
            journaled()
        } catch {
            log.error("cannot record an event", [("error", "\(error)")])
        }
    }
}

/// A pass that could not get as far as a plan.
struct PassFailure: Error {
    var message: String
    /// The state lock was held by someone else (a CLI apply) for the whole lock timeout.
    var lockBusy = false
    /// The state itself failed (it could not be written): the daemon's failure, not a key's.
    var stateFailure = false
}
