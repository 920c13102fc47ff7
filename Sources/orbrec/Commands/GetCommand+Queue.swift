internal import Foundation
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecSpec
internal import OrbrecAPI

/// `orbrec get partitions` and `orbrec get jobs`: what the schedulers report of their queues now,
/// asked through the engine (the same command path as submissions: on this host, or over SSH).
extension GetCommand {
    func partitions(_ session: Session, store: StateStore?) async throws -> Listing {
        let desired = try session.loadConfiguration().desired
        let listing = try await withQueueReconciler(session, store: store) { reconciler in
            try await reconciler.partitions(of: desired, scheduler: filters.scheduler)
        }
        let rows = listing.items.filter { name == nil || $0.item.name == name }.map { PartitionDocument(scheduler: $0.scheduler, $0.item) }
        report(listing, session)
        return try render(rows, table: {
            var table = wide
                ? Table("SCHEDULER", "PARTITION", "STATE", "NODES", "IDLE", "ALLOC", "MIXED", "DOWN", "DRAINED", "OTHER", "CPUS A/I/O/T",
                        "MEMORY", "TIME LIMIT")
                : Table("SCHEDULER", "PARTITION", "STATE", "NODES", "IDLE", "ALLOC", "DOWN", "CPUS (FREE/TOTAL)", "MEMORY", "TIME LIMIT")
            for row in rows {
                let partition = row.name + (row.isDefault ? "*" : "")
                let memory = row.memoryMb.map { "\($0)M" + (row.memoryVaries ? "+" : "") } ?? "-"
                let nodes = row.nodes
                if wide {
                    table.add(row.scheduler, partition, row.state, "\(nodes.total)", "\(nodes.idle)", "\(nodes.allocated)", "\(nodes.mixed)",
                              "\(nodes.down)", "\(nodes.drained)", "\(nodes.other)",
                              "\(row.cpus.allocated)/\(row.cpus.idle)/\(row.cpus.other)/\(row.cpus.total)", memory, row.timeLimit)
                } else {
                    table.add(row.scheduler, partition, row.state, "\(nodes.total)", "\(nodes.idle)", "\(nodes.allocated + nodes.mixed)",
                              "\(nodes.down + nodes.drained)", "\(row.cpus.idle)/\(row.cpus.total)", memory, row.timeLimit)
                }
            }
            return table
        }, empty: name.map { "No partition \($0)." } ?? "No partitions.")
    }

    func jobs(_ session: Session, store: StateStore?) async throws -> Listing {
        let desired = try session.loadConfiguration().desired
        let listing = try await withQueueReconciler(session, store: store) { reconciler in
            try await reconciler.jobs(of: desired, scheduler: filters.scheduler, all: all)
        }
        let rows = listing.items.filter { name == nil || $0.item.id == name }.map { QueueJobDocument(scheduler: $0.scheduler, $0.item) }
            .filter { filters.matches(state: $0.state) && (filters.pool == nil || $0.pool == filters.pool) }
        report(listing, session)
        return try render(rows, table: {
            var table = wide
                ? Table("SCHEDULER", "JOB", "NAME", "USER", "ACCOUNT", "PARTITION", "STATE", "TIME", "LIMIT", "NODES", "POOL", "KEY", "ATTEMPT",
                        "REASON")
                : Table("SCHEDULER", "JOB", "POOL", "KEY", "STATE", "PARTITION", "TIME", "LIMIT", "REASON")
            for row in rows {
                let pool = row.pool ?? (row.mine ? "?" : "-")
                if wide {
                    table.add(row.scheduler, row.id, row.name, row.user, row.account ?? "-", row.partition, row.state, row.timeUsed ?? "-",
                              row.timeLimit ?? "-", row.nodes.map(String.init) ?? "-", pool, row.key ?? "-", row.attempt.map(String.init) ?? "-",
                              row.reason)
                } else {
                    table.add(row.scheduler, row.id, row.mine ? pool : "(\(row.name))", row.key ?? "-", row.state, row.partition,
                              row.timeUsed ?? "-", row.timeLimit ?? "-", row.reason)
                }
            }
            return table
        }, empty: name.map { "No job \($0)." } ?? (all ? "No jobs." : "No jobs of this state (--all shows the user's others)."))
    }

    /// Schedulers that could not be asked, or cannot tell, are named on stderr (JSON on stdout stays whole).
    private func report<Item>(_ listing: QueueListing<Item>, _ session: Session) {
        for (scheduler, reason) in listing.unreachable.sorted(by: { $0.key < $1.key }) {
            session.terminal.note("warning: scheduler \(scheduler) could not be asked: \(reason)")
        }
        if let only = filters.scheduler, listing.unsupported.contains(only) {
            session.terminal.note("scheduler \(only) reports no queues")
        }
    }

    /// The engine over the state; with no state yet, over an empty one made for the question and
    /// removed after it (nothing of this state runs yet, and nothing is created beside the files).
    private func withQueueReconciler<T>(_ session: Session, store: StateStore?,
                                        _ body: (Reconciler) async throws -> T) async throws -> T {
        do {
            if let store { return try await body(session.reconciler(store)) }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-get-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            return try await body(session.reconciler(try StateStore(path: directory + "/state.db")))
        } catch let error as QueueListingError {
            throw CommandFailure(.error, error.description)
        }
    }
}
