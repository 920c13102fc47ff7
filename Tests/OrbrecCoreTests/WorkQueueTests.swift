import Testing
import OrbrecCore
import PropertyBased

@Suite("Work queue")
struct WorkQueueTests {
    static let t0 = Instant(millisecondsSinceEpoch: 1_000_000)

    func at(_ ms: Int64) -> Instant { Self.t0.adding(ConfigDuration(milliseconds: ms)) }

    @Test func repeatedTriggersCollapse() {
        var queue = WorkQueue<String>()
        for _ in 0..<5 { queue.add("fleet/a", .change, now: at(0)) }
        queue.add("fleet/b", .resync, now: at(0))
        #expect(queue.depth == 2)
        #expect(queue.take(now: at(0)).sorted() == ["fleet/a", "fleet/b"])
        #expect(queue.depth == 0)
        #expect(queue.take(now: at(0)).isEmpty)
    }

    @Test func aKeyInFlightIsNotHandedOutAgainButRunsOnceMoreAfter() {
        var queue = WorkQueue<String>()
        queue.add("k", .change, now: at(0))
        #expect(queue.take(now: at(0)) == ["k"])
        queue.add("k", .change, now: at(1))
        queue.add("k", .resync, now: at(2))
        #expect(queue.take(now: at(3)).isEmpty)
        queue.finish("k", succeeded: true, now: at(4))
        #expect(queue.take(now: at(4)) == ["k"])
        queue.finish("k", succeeded: true, now: at(5))
        #expect(queue.take(now: at(100_000)).isEmpty)
    }

    @Test func failuresBackOffExponentiallyAndASuccessResets() {
        var queue = WorkQueue<String>(backoff: QueueBackoff(initial: ConfigDuration(milliseconds: 100),
                                                            maximum: ConfigDuration(milliseconds: 1000)))
        queue.add("k", .change, now: at(0))
        var now: Int64 = 0
        var delays: [Int64] = []
        for _ in 0..<6 {
            #expect(queue.take(now: at(now)) == ["k"])
            queue.finish("k", succeeded: false, now: at(now))
            let due = queue.nextDue!
            delays.append(due.millisecondsSinceEpoch - at(now).millisecondsSinceEpoch)
            // Not before its backoff, even when a resync asks.
            queue.add("k", .resync, now: at(now + 1))
            #expect(queue.take(now: at(now + 1)).isEmpty)
            now = due.millisecondsSinceEpoch - Self.t0.millisecondsSinceEpoch
        }
        #expect(delays == [100, 200, 400, 800, 1000, 1000])
        #expect(queue.failureCount(of: "k") == 6)
        #expect(queue.take(now: at(now)) == ["k"])
        queue.finish("k", succeeded: true, now: at(now))
        #expect(queue.failureCount(of: "k") == 0)
        #expect(queue.nextDue == nil)
    }

    @Test func aChangeDoesNotWaitForTheBackoff() {
        var queue = WorkQueue<String>()
        queue.add("k", .change, now: at(0))
        _ = queue.take(now: at(0))
        queue.finish("k", succeeded: false, now: at(0))
        #expect(queue.take(now: at(10)).isEmpty)
        queue.add("k", .change, now: at(10))
        #expect(queue.take(now: at(10)) == ["k"])
    }

    @Test func aChangeDuringFailingWorkRunsAtOnceAResyncWaits() {
        var queue = WorkQueue<String>()
        queue.add("a", .change, now: at(0))
        queue.add("b", .change, now: at(0))
        _ = queue.take(now: at(0))
        queue.add("a", .change, now: at(1))
        queue.add("b", .resync, now: at(1))
        queue.finish("a", succeeded: false, now: at(2))
        queue.finish("b", succeeded: false, now: at(2))
        #expect(queue.take(now: at(2)) == ["a"])
        #expect(queue.take(now: at(1002)) == ["b"])
    }

    @Test func followUpsWaitUntilTheirMomentAndForgetDrops() {
        var queue = WorkQueue<String>()
        queue.add("k", at: at(500))
        #expect(queue.take(now: at(499)).isEmpty)
        #expect(queue.nextDue == at(500))
        #expect(queue.take(now: at(500)) == ["k"])
        queue.finish("k", succeeded: false, now: at(500))
        queue.forget("k")
        #expect(queue.nextDue == nil)
        #expect(queue.failureCount(of: "k") == 0)
    }

    @Test func backoffNeverOverflows() {
        let backoff = QueueBackoff(initial: ConfigDuration(milliseconds: 1000), maximum: ConfigDuration(milliseconds: 300_000))
        #expect(backoff.delay(afterFailures: 0).milliseconds == 0)
        #expect(backoff.delay(afterFailures: 1).milliseconds == 1000)
        #expect(backoff.delay(afterFailures: 9).milliseconds == 256_000)
        #expect(backoff.delay(afterFailures: 10).milliseconds == 300_000)
        #expect(backoff.delay(afterFailures: 10_000).milliseconds == 300_000)
    }

    enum Step: Sendable, CustomStringConvertible {
        case add(Int, Bool), take, finish(Int, Bool), tick(Int64)
        var description: String {
            switch self {
            case .add(let k, let change): "add(\(k), \(change ? "change" : "resync"))"
            case .take: "take"
            case .finish(let k, let ok): "finish(\(k), \(ok))"
            case .tick(let ms): "tick(\(ms))"
            }
        }
    }

    static let steps = zip(Gen.int(in: 0...3), Gen.int(in: 0...4), Gen.bool, Gen.int64(in: 0...3000)).map { t -> Step in
        switch t.0 {
        case 0: .add(t.1, t.2)
        case 1: .take
        case 2: .finish(t.1, t.2)
        default: .tick(t.3)
        }
    }.array(of: 0...60)

    /// Whatever happens: no key is handed out while in flight, every key added is eventually
    /// handed out once the clock passes the longest backoff, and the depth never exceeds the keys.
    @Test func neverTwiceAtOnceAndNothingForgotten() async {
        await propertyCheck(count: 500, input: Self.steps) { steps in
            var queue = WorkQueue<Int>(backoff: QueueBackoff(initial: ConfigDuration(milliseconds: 100),
                                                            maximum: ConfigDuration(milliseconds: 800)))
            var now: Int64 = 0
            var running: Set<Int> = []
            var owed: Set<Int> = []
            for step in steps {
                switch step {
                case .add(let key, let change):
                    queue.add(key, change ? .change : .resync, now: at(now))
                    owed.insert(key)
                case .take:
                    let taken = queue.take(now: at(now))
                    #expect(Set(taken).count == taken.count)
                    #expect(running.isDisjoint(with: taken))
                    running.formUnion(taken)
                    owed.subtract(taken)
                case .finish(let key, let ok):
                    guard running.remove(key) != nil else { continue }
                    queue.finish(key, succeeded: ok, now: at(now))
                    if !ok { owed.insert(key) }
                case .tick(let ms):
                    now += ms
                }
                #expect(queue.depth <= 5)
            }
            for key in running { queue.finish(key, succeeded: true, now: at(now)) }
            let late = queue.take(now: at(now + 10_000))
            #expect(owed.isSubset(of: Set(late)), "owed \(owed.sorted()) but handed out \(late.sorted())")
        }
    }
}
