import Foundation
import Glibc
@testable import OrbrecEngine
import Synchronization
import Testing

/// A scratch configuration tree, removed when released.
final class TemporaryTree {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-watch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func path(_ relative: String) -> String {
        root + "/" + relative
    }

    /// A plain open/write/close, the syscalls `echo > file` makes.
    func write(_ relative: String, _ contents: String = "replicas: 1\n") {
        let fd = open(path(relative), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "open \(relative): errno \(errno)")
        let bytes = Array(contents.utf8)
        precondition(bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count)
        close(fd)
    }

    func mkdir(_ relative: String) {
        try? FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
    }

    func rename(_ from: String, _ to: String) {
        precondition(Glibc.rename(path(from), path(to)) == 0, "rename \(from) \(to): errno \(errno)")
    }

    func remove(_ relative: String) {
        try? FileManager.default.removeItem(atPath: path(relative))
    }
}

/// Consumes a watcher's stream in the background so tests can wait on what arrived.
final class BatchCollector: Sendable {
    private struct State {
        var batches: [WatchBatch] = []
        var finished = false
    }

    private let state = Mutex(State())

    init(_ watcher: some ConfigurationWatcher) {
        let stream = watcher.batches()
        Task { [self] in
            for await batch in stream {
                state.withLock { $0.batches.append(batch) }
            }
            state.withLock { $0.finished = true }
        }
    }

    var batches: [WatchBatch] { state.withLock { $0.batches } }
    var finished: Bool { state.withLock { $0.finished } }

    /// Polls until `condition` holds or `timeout` passes; returns the batches either way.
    @discardableResult
    func wait(timeout: Duration = .milliseconds(1500), until condition: ([WatchBatch]) -> Bool) async -> [WatchBatch] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let batches = self.batches
            if condition(batches) || ContinuousClock.now >= deadline { return batches }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Waits until the union of reported paths includes `paths`.
    @discardableResult
    func wait(for paths: Set<String>, timeout: Duration = .milliseconds(1500)) async -> [WatchBatch] {
        await wait(timeout: timeout) { paths.isSubset(of: $0.union) }
    }

    /// Lets any trailing batch of the previous step arrive, then forgets everything so far.
    func settleAndClear(quiet: Duration = .milliseconds(120)) async {
        try? await Task.sleep(for: quiet)
        state.withLock { $0.batches.removeAll() }
    }

    func waitFinished(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !finished, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
        return finished
    }
}

extension [WatchBatch] {
    var union: Set<String> { reduce(into: []) { $0.formUnion($1.paths) } }
}

enum InotifyLimits {
    static var maxQueuedEvents: Int {
        let text = (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8)) ?? ""
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 16384
    }
}
