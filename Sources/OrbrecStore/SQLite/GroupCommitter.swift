internal import GRDB
internal import Synchronization

/// Group commit: writes asked for by concurrent callers (workers' claims and completions)
/// that arrive while a transaction is being written share the next durable transaction, each
/// in a savepoint of its own (one that fails is rolled back alone). Every caller resumes only
/// once the transaction that holds its write is committed and synced.
final class GroupCommitter: Sendable {
    private struct Waiting {
        var body: @Sendable (Database) throws -> any Sendable
        var continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var writing = false
    }

    private let database: DatabasePool
    private let state = Mutex(State())

    init(database: DatabasePool) {
        self.database = database
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let value = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let start = state.withLock { state -> Bool in
                state.waiting.append(Waiting(body: { try body($0) }, continuation: continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if start { Task.detached { self.drain() } }
        }
        guard let typed = value as? T else { throw GroupCommitError.unexpectedValue }
        return typed
    }

    /// Writes what waits, one transaction a round, until nothing does.
    private func drain() {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                defer { state.waiting = [] }
                if state.waiting.isEmpty { state.writing = false }
                return state.waiting
            }
            guard !batch.isEmpty else { return }
            var results: [Result<any Sendable, any Error>] = []
            if batch.count == 1 {
                // Alone in its transaction: no savepoint needed, a failure rolls back just it.
                let item = batch[0]
                item.continuation.resume(with: Result { try database.write { db in try item.body(db) } })
                continue
            }
            do {
                try database.write { db in
                    results = []
                    for item in batch {
                        var value: (any Sendable)?
                        do {
                            try db.inSavepoint {
                                value = try item.body(db)
                                return .commit
                            }
                            results.append(.success(value!))
                        } catch {
                            results.append(.failure(error))
                        }
                    }
                }
            } catch {
                results = batch.map { _ in .failure(error) }
            }
            for (item, result) in zip(batch, results) { item.continuation.resume(with: result) }
        }
    }
}

enum GroupCommitError: Error {
    case unexpectedValue
}
