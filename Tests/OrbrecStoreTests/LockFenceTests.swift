import Foundation
import OrbrecCore
import OrbrecStore
import OrbrecTestSupport
import Testing

/// A process whose state lock was taken over (it lapsed while the process was cut off or
/// paused) must not write to the journal any more: its writes are refused in their own
/// transaction, so nothing it does after the takeover lands beside the new holder's work.
@Suite struct LockFenceTests {
    static func lock(_ id: String, ttl: ConfigDuration? = .seconds(30)) -> LockRecord {
        LockRecord(id: id, operation: "apply", who: "tester@\(id)", host: "host-\(id)", pid: 4242, processStart: "1",
                   createdAt: Instant(millisecondsSinceEpoch: 1_000), ttl: ttl)
    }

    @Test(arguments: TestStateBackend.allCases)
    func aHolderWhoseLockWasTakenOverCannotWriteAndOneWhoseLockHoldsCan(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let location = try stateLocation(backend, in: directory)
        let holder = try await openStore(at: location)
        let other = try await openStore(at: location)
        #expect(try await holder.tryLock(Self.lock("lock-first"), isStale: { _ in false }) == nil)
        // While its lock holds, the holder writes.
        try await holder.recordIntent([Journal.action("act-1")])
        // Another process takes the lock over (as when it lapsed).
        #expect(try await other.forceUnlock(id: "lock-first", at: Journal.at(2_000)))
        #expect(try await other.tryLock(Self.lock("lock-second"), isStale: { _ in false }) == nil)
        await #expect(throws: LockLost.self) { try await holder.recordIntent([Journal.action("act-2")]) }
        await #expect(throws: LockLost.self) {
            try await holder.finishAction(id: "act-1", state: .succeeded, error: nil, at: Journal.at(3_000))
        }
        #expect(try await other.action(id: "act-2") == nil, "a refused write wrote nothing")
        #expect(try await other.action(id: "act-1")?.state == .planned)
        // The new holder writes; after unlocking, the old one writes again (without a lock).
        try await other.finishAction(id: "act-1", state: .cancelled, error: "taken over", at: Journal.at(3_000))
        try await other.unlock(id: "lock-second")
        try await holder.unlock(id: "lock-first")
        try await holder.recordIntent([Journal.action("act-3")])
        #expect(try await other.action(id: "act-3") != nil)
        await holder.close()
        await other.close()
    }
}
