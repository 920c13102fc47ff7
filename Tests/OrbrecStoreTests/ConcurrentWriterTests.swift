import Foundation
import Synchronization
import Testing
import OrbrecCore
import OrbrecStore
import OrbrecStorePostgres
import OrbrecTestSupport

/// Several stores (processes) writing one state at once: what readers and claimers see.
@Suite struct ConcurrentWriterTests {
    /// Set once the writers are done, read by a reader that runs beside them.
    final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    /// A follower (`events --follow`, the API's event stream) pages by `seq > last`: an event
    /// committed after a later one with a smaller seq would never be seen. While two stores
    /// write, every event must show up in seq order, and none behind what was already read.
    @Test(arguments: TestStateBackend.allCases)
    func aReaderPagingBySeqMissesNoEventWhileTwoStoresWrite(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let location = try stateLocation(backend, in: directory)
        let writers = [try await openStore(at: location, use: .daemon), try await openStore(at: location)]
        let reader = try await openStore(at: location)
        let perWriter = 200
        let done = Flag()

        let follower = Task {
            var seen: [Int64] = []
            var pagesWhileWriting = 0
            while true {
                let writing = !done.isSet
                let page = try await reader.events(after: seen.last ?? 0, limit: 50).compactMap(\.seq)
                seen += page
                if page.isEmpty {
                    // Read through once the writers were done: nothing can come after.
                    if !writing { break }
                    try await Task.sleep(for: .milliseconds(1))
                } else if writing {
                    pagesWhileWriting += 1
                }
            }
            return (seen, pagesWhileWriting)
        }
        let written = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for (index, writer) in writers.enumerated() {
                group.addTask {
                    var seqs: [Int64] = []
                    for n in 0..<perWriter {
                        let seq = try await writer.recordEvent(resource: "test", subject: "writer-\(index)", from: nil, to: "\(n)",
                                                               cause: "concurrent writes", at: Journal.at(Int64(n)))
                        seqs.append(try #require(seq))
                    }
                    return seqs
                }
            }
            defer { done.set() }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let (seen, pagesWhileWriting) = try await follower.value

        let all = try await reader.allEvents()
        let seqs = all.compactMap(\.seq)
        #expect(all.count == 2 * perWriter)
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $0 < $1 }, "strictly increasing")
        #expect(seqs == Array((seqs.first ?? 0)...(seqs.last ?? -1)), "no gaps")
        #expect(Set(written.flatMap { $0 }) == Set(seqs), "each write's seq is its event's")
        for writes in written { #expect(writes == writes.sorted(), "one writer's events in the order it wrote them") }
        for index in writers.indices {
            #expect(all.filter { $0.subject == "writer-\(index)" }.map(\.toState) == (0..<perWriter).map { "\($0)" })
        }
        #expect(seen == seqs, "the follower saw every event, in order (\(pagesWhileWriting) pages while the writers ran)")

        for store in writers + [reader] { await store.close() }
    }

    /// Workers claiming at once from several connections: every offered attempt is leased to
    /// exactly one of them.
    @Test(arguments: TestStateBackend.allCases)
    func concurrentClaimersLeaseEachAttemptOnce(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let location = try stateLocation(backend, in: directory)
        let stores = [try await openStore(at: location, use: .daemon), try await openStore(at: location)]
        let offered = (0..<200).map { (key: "k\($0)", attempt: 1 + $0 % 3) }
        try await stores[0].offerLeases(pool: "pool", attempts: offered, at: Journal.at(1_000))
        try await stores[0].offerLeases(pool: "other", attempts: [(key: "k0", attempt: 1)], at: Journal.at(1_000))

        let claims = try await withThrowingTaskGroup(of: [LeaseRecord].self) { group in
            for worker in 0..<8 {
                let store = stores[worker % stores.count]
                group.addTask {
                    var mine: [LeaseRecord] = []
                    while let lease = try await store.claimLease(pool: "pool", worker: "w\(worker)", machine: nil, lease: .seconds(60),
                                                                 token: "tok-\(worker)-\(mine.count)", at: Journal.at(2_000)) {
                        mine.append(lease)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }

        struct Attempt: Hashable { var key: String; var attempt: Int }
        let claimed = claims.map { Attempt(key: $0.key, attempt: $0.attempt) }
        #expect(claimed.count == offered.count, "as many claims as attempts")
        #expect(Set(claimed) == Set(offered.map { Attempt(key: $0.key, attempt: $0.attempt) }), "each attempt leased exactly once")
        #expect(claims.allSatisfy { $0.pool == "pool" && $0.state == .leased })
        #expect(Set(claims.compactMap(\.token)).count == claims.count)

        let leases = try await stores[1].leases(pool: "pool", at: Journal.at(2_000))
        #expect(leases.count == offered.count)
        #expect(leases.allSatisfy { $0.state == .leased })
        #expect(Dictionary(uniqueKeysWithValues: leases.compactMap { lease in lease.token.map { ($0, lease.worker) } })
                == Dictionary(uniqueKeysWithValues: claims.compactMap { claim in claim.token.map { ($0, claim.worker) } }),
                "the state holds each claim as its claimer got it")
        #expect(try await stores[1].leases(pool: "other", at: Journal.at(2_000)).map(\.state) == [.offered], "another pool's offer is left")

        for store in stores { await store.close() }
    }
}
