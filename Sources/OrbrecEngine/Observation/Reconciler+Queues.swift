public import OrbrecCore
internal import OrbrecStore
internal import Synchronization

extension Reconciler {
    /// What each scheduler that the configuration names a partition or account for reports of
    /// them, for the plan's check. Only clusters that can tell (`SchedulerQueueInformation`)
    /// are asked: a local scheduler has one partition and ignores a pool's, as it always has.
    /// One that fails is `unreachable`, which the plan warns about and goes on.
    func observeQueues(_ registry: SchedulerRegistry, desired: DesiredState) async -> [String: QueueObservation] {
        let references = Dictionary(grouping: QueueReference.all(in: desired), by: \.scheduler)
        let now = clock.now()
        var queues: [String: QueueObservation] = [:]
        await withTaskGroup(of: (String, QueueObservation?).self) { group in
            for (name, named) in references {
                guard desired.schedulers[name].map({ $0.type != .local }) ?? false,
                      let scheduler = registry[name] as? any SchedulerQueueInformation else { continue }
                let key = QueueObservationCache.Key(scheduler: name, spec: desired.schedulers[name]?.specHash ?? "",
                                                    accounts: named.contains { $0.field == .account })
                if let cached = QueueObservationCache.shared.value(key, now: now) {
                    queues[name] = cached
                    continue
                }
                group.addTask {
                    let observation = await Self.observeQueue(scheduler, accounts: key.accounts)
                    if case .observed = observation { QueueObservationCache.shared.store(observation, for: key, now: now) }
                    return (name, observation)
                }
            }
            for await (name, observation) in group { queues[name] = observation }
        }
        return queues
    }

    private static func observeQueue(_ scheduler: any SchedulerQueueInformation, accounts: Bool) async -> QueueObservation {
        do {
            let partitions = Set(try await scheduler.partitions().map(\.name))
            let accounts = accounts ? try await scheduler.accounts().map(Set.init) : nil
            return .observed(partitions: partitions, accounts: accounts)
        } catch let error as ProviderError {
            return .unreachable(error.message)
        } catch {
            return .unreachable("\(error)")
        }
    }

    /// `orbrec get partitions`, the API's and MCP's: every partition of each scheduler that can
    /// tell (or of the one named), with the schedulers that could not be asked.
    public func partitions(of desired: DesiredState, scheduler only: String? = nil) async throws -> QueueListing<QueuePartition> {
        try await queueListing(desired, only: only) { try await $0.partitions() }
    }

    /// `orbrec get jobs`: this state's jobs on each scheduler (with `all`, the user's others too).
    public func jobs(of desired: DesiredState, scheduler only: String? = nil, all: Bool = false) async throws -> QueueListing<QueueJob> {
        let owner = store.stateID
        return try await queueListing(desired, only: only) { try await $0.jobs(ownedBy: owner, all: all) }
    }

    /// Used and free slots of each scheduler that can tell, for `status`.
    public func schedulerSlots(of desired: DesiredState) async throws -> QueueListing<SchedulerSlots> {
        try await queueListing(desired, only: nil) { [try await $0.slots()] }
    }

    private func queueListing<Item: Sendable>(_ desired: DesiredState, only: String?,
                                              _ read: @escaping @Sendable (any SchedulerQueueInformation) async throws -> [Item])
        async throws -> QueueListing<Item> {
        let registry = try await schedulers(for: desired)
        if let only, registry[only] == nil || desired.schedulers[only] == nil {
            throw QueueListingError.unknownScheduler(only, known: desired.schedulers.keys.sorted())
        }
        var listing = QueueListing<Item>()
        let names = desired.schedulers.keys.sorted().filter { only == nil || $0 == only }
        await withTaskGroup(of: (String, Result<[Item], ProviderError>?).self) { group in
            for name in names {
                guard let scheduler = registry[name] as? any SchedulerQueueInformation else {
                    group.addTask { (name, nil) }
                    continue
                }
                group.addTask {
                    do {
                        return (name, .success(try await read(scheduler)))
                    } catch let error as ProviderError {
                        return (name, .failure(error))
                    } catch {
                        return (name, .failure(ProviderError(code: "scheduler-failed", message: "\(error)")))
                    }
                }
            }
            for await (name, result) in group {
                switch result {
                case .success(let items)?: listing.items += items.map { (name, $0) }
                case .failure(let error)?: listing.unreachable[name] = error.message
                case nil: listing.unsupported.append(name)
                }
            }
        }
        listing.items.sort { $0.scheduler < $1.scheduler }
        listing.unsupported.sort()
        return listing
    }
}

/// What the schedulers told: each item with its scheduler, in scheduler order (each one's
/// items in the order it gave them), and those that could not be asked or cannot tell.
public struct QueueListing<Item: Sendable>: Sendable {
    public var items: [(scheduler: String, item: Item)] = []
    /// Scheduler name -> why it could not be asked.
    public var unreachable: [String: String] = [:]
    /// Schedulers of a type that reports no queues.
    public var unsupported: [String] = []

    public init() {}
}

/// A scheduler asked for by name that the configuration does not declare.
public enum QueueListingError: Error, Sendable, CustomStringConvertible {
    case unknownScheduler(String, known: [String])
    /// The daemon has no valid configuration loaded yet.
    case notReady

    public var description: String {
        switch self {
        case .unknownScheduler(let name, let known):
            "no scheduler \(name.prefix(64)) in the configuration" + (known.isEmpty ? "" : " (schedulers: \(known.joined(separator: ", ")))")
        case .notReady:
            "no valid configuration is loaded; see /readyz"
        }
    }
}

/// What schedulers said of their partitions and accounts, for 30 s: the daemon plans every few
/// seconds and `apply --wait` several times a second, and sinfo is a call to the controller.
/// A new process (`orbrec plan`) starts empty, so it always asks.
final class QueueObservationCache: Sendable {
    struct Key: Hashable {
        var scheduler: String
        var spec: String
        var accounts: Bool
    }

    static let shared = QueueObservationCache()
    static let lifetimeMilliseconds: Int64 = 30_000

    private let entries = Mutex<[Key: (observation: QueueObservation, at: Instant)]>([:])

    func value(_ key: Key, now: Instant) -> QueueObservation? {
        entries.withLock { entries in
            guard let entry = entries[key], now.millisecondsSinceEpoch - entry.at.millisecondsSinceEpoch < Self.lifetimeMilliseconds,
                  now.millisecondsSinceEpoch >= entry.at.millisecondsSinceEpoch else { return nil }
            return entry.observation
        }
    }

    func store(_ observation: QueueObservation, for key: Key, now: Instant) {
        entries.withLock { $0[key] = (observation, now) }
    }
}
