internal import OrbrecCore
internal import OrbrecStore

extension ReconcileLoop {
    /// How long the daemon keeps the state lock after a flow step, waiting for the next end.
    static let flowLockLinger = ConfigDuration(milliseconds: 20)
    /// How long steps may hold the lock without a break, and how long the break lasts: a CLI
    /// command waiting for the lock (`--lock-timeout`) gets in while a busy pool flows.
    static let flowLockHold: Duration = .milliseconds(200)
    static let flowLockBreak: Duration = .milliseconds(50)

    /// The least time between two flow steps that settle only pull workers' ends: those that
    /// come meanwhile (completions arrive a few hundred microseconds apart) are settled by one
    /// step and one transaction, not one each. Settling them a little later delays no one (a
    /// worker's answer waits only for its own lease's commit, and a pull pool has no slot to
    /// refill); an end of a push pool is settled at once, for its slot waits on the step.
    static let flowCoalesce: Duration = .milliseconds(5)

    /// Waits out what is left of `flowCoalesce` since the last step began, when every end
    /// waiting is a pull worker's.
    func coalesceFlowSteps() async {
        if let last = flowStepAt {
            // An end of a push pool that comes meanwhile cuts the wait short.
            let until = last + Self.flowCoalesce
            while ContinuousClock.now < until && !reconciler.attemptEnds.hasPending(besides: TaskPoolSpec.pullScheduler) {
                await wakeup.wait(upTo: until - ContinuousClock.now)
            }
        }
        flowStepAt = ContinuousClock.now
    }

    /// Whether an announced end or a due retry waits for a flow step (not during a break).
    func flowHasWork() async -> Bool {
        guard let flow, !isStopping else { return false }
        if let resume = flowBreakUntil, ContinuousClock.now < resume { return false }
        if reconciler.attemptEnds.hasPending { return true }
        return await flow.nextRetry.map { $0 <= clock.now() } ?? false
    }

    /// One flow step under the state lock: ends settled, freed slots filled.
    func flowStep() async {
        guard let flow else { return }
        markProgress()
        do {
            if flowLock == nil {
                flowLock = try await lock.acquire(ConfigDuration(milliseconds: 0))
                flowLockSince = ContinuousClock.now
                // While the lock was free a CLI may have cancelled, requeued, applied or cancelled a
                // workflow run: a pass reads it all before anything more starts.
                let version = try await store.othersChangeCounter()
                if version != flowJournalVersion {
                    log.debug("the journal changed while the lock was free; a pass looks before the next step")
                    await endFlowSteps()
                    self.flow = nil
                    for pool in flowPools { queue.add(ResourceID(.taskPool, pool), .change, now: schedule.now()) }
                    flowPools = []
                    return
                }
            }
            let step = try await flow.step(reconciler.attemptEnds.take())
            if step.settled + step.started > 0 { journaled() }
            for verb in step.actions { metrics.recordAction(verb: verb.rawValue, succeeded: true) }
            if let since = flowLockSince, ContinuousClock.now - since > Self.flowLockHold {
                await endFlowSteps()
                flowBreakUntil = ContinuousClock.now + Self.flowLockBreak
            }
            if await flow.isDrained {
                // Every dispatched pool has finished: a pass now records it (status, conditions) and
                // decides what comes next, rather than at the next periodic look.
                await endFlowSteps()
                self.flow = nil
                flowPools = []
                for pool in await flow.pools { queue.add(ResourceID(.taskPool, pool), .change, now: schedule.now()) }
            }
        } catch {
            // Someone else holds the lock (a CLI apply) or the journal failed: the next pass decides.
            log.debug("flow step not taken", [("error", "\(error)")])
            await endFlowSteps()
            self.flow = nil
            flowPools = []
            for name in (desired?.pools.keys).map(Array.init) ?? [] { queue.add(ResourceID(.taskPool, name), at: schedule.now().adding(ConfigDuration(milliseconds: 200))) }
        }
    }

    /// Journals what the last step left to confirm and lets the state lock go.
    func endFlowSteps() async {
        if let flow, await flow.needsFlush {
            do {
                if flowLock == nil { flowLock = try await lock.acquire(ConfigDuration(milliseconds: 0)) }
                try await flow.flush()
            } catch {
                log.warning("cannot journal the jobs of started attempts; the next pass settles them", [("error", "\(error)")])
            }
        }
        if let id = flowLock {
            // Cleared before the release is awaited: the actor's state never names a lock
            // being given back.
            flowLock = nil
            flowLockSince = nil
            await lock.release(id)
        }
    }

    /// How long to sleep with a flow: no longer than its next retry or the end of a break.
    func flowSleep(_ planned: Duration?) async -> Duration? {
        if flow != nil, let resume = flowBreakUntil, ContinuousClock.now < resume {
            let left = resume - ContinuousClock.now
            return planned.map { min($0, left) } ?? left
        }
        guard let flow, let retry = await flow.nextRetry else { return planned }
        let until = Duration.milliseconds(max(1, retry.millisecondsSinceEpoch - clock.now().millisecondsSinceEpoch))
        return planned.map { min($0, until) } ?? until
    }
}
