import Foundation
import OrbrecCore
@testable import OrbrecStore
import OrbrecTestSupport
import Testing

/// A lock lapses unless its holder renews it: how a holder that died on another host, whose
/// pid cannot be checked, lets go (issue 17 item 2). Expiry is judged by the database's clock
/// on PostgreSQL and by the caller's on SQLite.
@Suite struct LockExpiryTests {
    static func lock(_ id: String, ttl: ConfigDuration, at time: Instant) -> LockRecord {
        LockRecord(id: id, operation: "apply", who: "tester@\(id)", host: "elsewhere-\(id)", pid: 4242, processStart: "1",
                   createdAt: time, ttl: ttl)
    }

    static func now() -> Instant { Instant(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)) }

    @Test(arguments: TestStateBackend.allCases)
    func aHolderThatStoppedRenewingLosesTheLockToTheNextTakerWithABrokenEvent(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let location = try stateLocation(backend, in: directory)
        let holder = try await openStore(at: location)
        let taker = try await openStore(at: location)
        #expect(try await holder.tryLock(Self.lock("lock-dead", ttl: ConfigDuration(milliseconds: 300), at: Self.now()), isStale: { _ in false }) == nil)
        // The holder dies: nothing renews its lock any more.
        holder.renewals.stop("lock-dead")
        // Before it lapses, the lock is held: the pid of another host proves nothing.
        #expect(try await taker.tryLock(Self.lock("lock-next", ttl: .seconds(30), at: Self.now()), isStale: { _ in false })?.id == "lock-dead")
        try await Task.sleep(for: .milliseconds(700))
        #expect(try await taker.tryLock(Self.lock("lock-next", ttl: .seconds(30), at: Self.now()), isStale: { _ in false }) == nil)
        #expect(try await taker.currentLock()?.id == "lock-next")
        let broken = try await taker.allEvents().filter { $0.subject == "lock/lock-dead" && $0.toState == "broken" }
        #expect(broken.count == 1 && broken.first?.cause.contains("lock expired") == true, "\(broken)")
        try await taker.unlock(id: "lock-next")
        await holder.close()
        await taker.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aLiveHolderKeepsItsLockPastItsTimeToLiveByRenewingIt(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let location = try stateLocation(backend, in: directory)
        let holder = try await openStore(at: location)
        let other = try await openStore(at: location)
        #expect(try await holder.tryLock(Self.lock("lock-live", ttl: ConfigDuration(milliseconds: 300), at: Self.now()), isStale: { _ in false }) == nil)
        // Three times its time to live: renewed every 100 ms meanwhile.
        try await Task.sleep(for: .milliseconds(900))
        #expect(try await other.tryLock(Self.lock("lock-other", ttl: .seconds(30), at: Self.now()), isStale: { _ in false })?.id == "lock-live")
        let expires = try #require(try await other.currentLock()?.expiresAt)
        #expect(expires.millisecondsSinceEpoch > Self.now().millisecondsSinceEpoch - 50, "renewed into the future")
        #expect(!holder.lockWasLost(id: "lock-live"))
        try await holder.unlock(id: "lock-live")
        #expect(try await other.currentLock() == nil)
        await holder.close()
        await other.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aHolderWhoseLockWasTakenOverLearnsItAtItsNextRenewal(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let location = try stateLocation(backend, in: directory)
        let holder = try await openStore(at: location)
        let other = try await openStore(at: location)
        #expect(try await holder.tryLock(Self.lock("lock-paused", ttl: ConfigDuration(milliseconds: 300), at: Self.now()), isStale: { _ in false }) == nil)
        #expect(try await other.forceUnlock(id: "lock-paused", at: Self.now()))
        #expect(try await other.tryLock(Self.lock("lock-taker", ttl: .seconds(30), at: Self.now()), isStale: { _ in false }) == nil)
        try await Task.sleep(for: .milliseconds(400))
        #expect(holder.lockWasLost(id: "lock-paused"))
        #expect(try await other.currentLock()?.id == "lock-taker", "a lost holder's renewal brings nothing back")
        try await other.unlock(id: "lock-taker")
        await holder.close()
        await other.close()
    }
}
