public import OrbrecCore

extension StateStore {
    /// Takes the state lock if it is free or held by a process that no longer exists
    /// (`isStale` decides). Returns the holder when someone else has it.
    public func tryLock(_ lock: LockRecord, isStale: @Sendable (LockRecord) -> Bool) async throws -> LockRecord? {
        try await backend.tryLock(lock, isStale: isStale)
    }

    /// Lets the lock go even when the calling task is cancelled (GRDB's async writes give up
    /// on a cancelled task): a lock left behind by a process that lives on is never stale, and
    /// would keep every other command and the daemon out.
    public func unlock(id: String) async throws {
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
