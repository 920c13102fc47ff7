public import OrbrecCore

extension StateStore {
    /// Takes the state lock if it is free, lapsed, or held by a process that no longer exists
    /// (`isStale` decides). Returns the holder when someone else has it. A lock with a time to
    /// live is renewed from here on until `unlock`.
    public func tryLock(_ lock: LockRecord, isStale: @Sendable (LockRecord) -> Bool) async throws -> LockRecord? {
        let holder = try await backend.tryLock(lock, isStale: isStale)
        if holder == nil {
            renewals.start(lock, backend: backend)
            backend.fenceLock(lock.id)
        }
        return holder
    }

    /// Whether the lock `id`, taken by this store, was found broken by another process when
    /// it was last renewed: its holder must stop acting on the state.
    public func lockWasLost(id: String) -> Bool { renewals.wasLost(id) }

    /// Lets the lock go even when the calling task is cancelled (GRDB's async writes give up
    /// on a cancelled task): a lock left behind by a process that lives on is never stale, and
    /// would keep every other command and the daemon out.
    public func unlock(id: String) async throws {
        renewals.stop(id)
        backend.fenceLock(nil)
        let backend = self.backend
        try await Task.detached { try await backend.unlock(id: id) }.value
    }

    public func currentLock() async throws -> LockRecord? {
        try await backend.currentLock()
    }

    /// Removes the lock whatever holds it, if its id is `id`; returns whether it did.
    public func forceUnlock(id: String, at now: Instant) async throws -> Bool {
        try await backend.forceUnlock(id: id, at: now)
    }
}
