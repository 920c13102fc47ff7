internal import Foundation
internal import OrbrecCore
internal import OrbrecStore
internal import OrbrecEngine

/// What the commands that take machine requests and returns (`machines request|return`,
/// `requests status`, `hostfactory …`) do around the engine: the request is journaled first;
/// then, when no daemon holds the state, this process carries it out itself, one pass over
/// the fleets it concerns. With a daemon holding the state, the daemon does.
struct MachineRequestDriver {
    let session: Session
    let store: StateStore
    let desired: DesiredState
    let reconciler: Reconciler

    init(session: Session, store: StateStore, desired: DesiredState) {
        self.session = session
        self.store = store
        self.desired = desired
        reconciler = session.reconciler(store)
    }

    /// One pass over `fleets` when the state lock is free (within `lockTimeout`), answering its
    /// outcomes; nil when another process holds it (that process, a daemon or an apply, carries
    /// the requests out).
    @discardableResult
    func act(on fleets: Set<String>, operation: String, lockTimeout: ConfigDuration = ConfigDuration(milliseconds: 0),
             only: @escaping @Sendable (PlannedAction) -> Bool = { _ in true }) async throws -> [ActionOutcome]? {
        let lock: LockRecord
        do {
            lock = try await session.takeLock(store, operation: operation, timeout: lockTimeout)
        } catch is LockTimeout {
            return nil
        }
        return try await withCleanup {
            for line in try await reconciler.recoverInterrupted(desired: desired) { session.terminal.note(line) }
            return try await reconciler.fulfil(fleets, configured: desired, only: only)
        } cleanup: {
            try? await store.unlock(id: lock.id)
        }
    }

    /// The fleets the requests `ids` concern: a machine request's own, a return request's machines'.
    func fleets(of ids: [String]) async throws -> Set<String> {
        var fleets: Set<String> = []
        for id in ids {
            if try await store.demand(id: id) != nil {
                fleets.insert(id)
            } else {
                for row in try await store.machineReturns(id: id) {
                    if let machine = try await store.machine(id: row.machineId) { fleets.insert(machine.fleet) }
                }
            }
        }
        return fleets
    }

    /// Acts on the requests (when the lock is free) and answers their reports; with `until`,
    /// keeps at it until every request is finished or the deadline passes.
    func reports(_ ids: [String], act: Bool, until deadline: Date? = nil) async throws -> [MachineRequestReport] {
        var pause: UInt64 = 250_000_000
        while true {
            // A request a plan's action made concerns no fleet of its own: only read.
            let fleets = act ? try await fleets(of: ids) : []
            if !fleets.isEmpty {
                for outcome in try await self.act(on: fleets, operation: "requests status") ?? [] where !outcome.succeeded {
                    session.terminal.note("\(outcome.action.detail): \(outcome.message)")
                }
            }
            let reports = try await reconciler.requestReports(ids)
            guard let deadline, !reports.allSatisfy(\.status.isFinished), Date() < deadline else { return reports }
            try await Task.sleep(nanoseconds: pause)
            pause = min(pause * 2, 2_000_000_000)
        }
    }
}

extension MachineRequestRefused {
    /// As a command reports it: exit 1 with the code and message, or 3 when a policy denied it.
    var commandFailure: CommandFailure {
        CommandFailure(code == .policyDenied ? .policyDenied : .error, "\(message) (\(code))")
    }
}
