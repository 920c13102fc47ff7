internal import Foundation
internal import OrbrecCore
internal import OrbrecAttempts
internal import OrbrecStore

/// `tasks logs POOL KEY -f`: prints an attempt's output as it is written, as `tail -f` does,
/// goes on to the task's next attempt when one starts (naming it on stderr, so stdout holds
/// only the attempts' output), and returns once the task is finished and all its output
/// printed.
///
/// Only files and the state are read: a later attempt having started is what says the one
/// being followed ended, and the task being finished (written after its last attempt's
/// output is whole) is what ends the follow.
struct TaskLogFollower {
    let store: StateStore
    let files: AttemptFiles
    let pool: String
    let key: String
    let standardError: Bool
    let terminal: Terminal
    var interval: Duration = .milliseconds(200)

    func run(from first: Int?) async throws {
        var attempt = first
        var offset: UInt64 = 0
        while !Task.isCancelled {
            guard let task = try await store.task(pool: pool, key: key) else {
                throw CommandFailure(.error, "task \(pool)/\(key) is no longer in the state")
            }
            let current = attempt ?? (task.attemptsStarted >= 1 ? task.attemptsStarted : nil)
            if attempt == nil, let current {
                attempt = current
                if first == nil, current > 1 { terminal.note("following attempt \(current) of \(pool)/\(key)") }
            }
            if let current, current <= task.attemptsStarted {
                offset = copy(from: path(current), at: offset)
                if task.attemptsStarted > current {
                    // A later attempt started, so this one ended and its output is whole.
                    attempt = current + 1
                    offset = 0
                    terminal.note("attempt \(current + 1) of \(pool)/\(key) started")
                    continue
                }
            }
            if task.state.isFinished { return }
            try await Task.sleep(for: interval)
        }
    }

    private func path(_ attempt: Int) -> String { standardError ? files.stderr(attempt) : files.stdout(attempt) }

    /// Writes what the file holds past `offset` to stdout; returns the new offset.
    private func copy(from path: String, at offset: UInt64) -> UInt64 {
        guard let handle = FileHandle(forReadingAtPath: path) else { return offset }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: offset)
            guard let data = try handle.readToEnd(), !data.isEmpty else { return offset }
            FileHandle.standardOutput.write(data)
            return offset + UInt64(data.count)
        } catch {
            return offset
        }
    }
}
