internal import Foundation

/// Watches a configuration tree with the raw Linux inotify API, one dedicated thread per
/// watcher. Every directory below the root (hidden ones excepted) gets a watch; files never
/// do, since editors replace them by rename and a file watch would follow the old inode.
public final class InotifyWatcher: ConfigurationWatcher {
    private let stream: AsyncStream<WatchBatch>
    private let stopSignal: StopSignal

    /// Throws `WatcherError` if inotify cannot be opened or the root (or, for lack of watches,
    /// any directory below it) cannot be watched. Watches are in place when this returns.
    /// Directories in `excluding` get no watch, even when made later: orbrec writes there.
    public convenience init(root: String, debounce: Duration = .milliseconds(25),
                            maxDelay: Duration = .milliseconds(250), excluding: [String] = []) throws {
        try self.init(root: root, debounce: debounce, maxDelay: maxDelay, excluding: excluding, beforeReading: nil)
    }

    /// `beforeReading` runs on the watcher's thread before its first read; tests hold it there
    /// to let the kernel queue overflow.
    init(root: String, debounce: Duration, maxDelay: Duration, excluding: [String] = [],
         beforeReading: (@Sendable () -> Void)?) throws(WatcherError) {
        let stopSignal = try StopSignal()
        let (stream, continuation) = AsyncStream.makeStream(of: WatchBatch.self)
        let reader: InotifyReader
        do {
            let root = Self.normalized(root)
            reader = try InotifyReader(root: root, excluded: ConfigurationFileFilter.relativePaths(of: excluding, under: root),
                                       debounce: debounce, maxDelay: maxDelay,
                                       stopSignal: stopSignal, continuation: continuation)
        } catch {
            stopSignal.close()
            continuation.finish()
            throw error
        }
        // A consumer that stops iterating (its task cancelled) no longer needs the thread.
        continuation.onTermination = { [stopSignal] _ in stopSignal.signal() }
        self.stream = stream
        self.stopSignal = stopSignal
        let thread = Thread {
            beforeReading?()
            reader.run()
        }
        thread.name = "orbrec-inotify"
        thread.start()
    }

    deinit {
        stopSignal.signal()
    }

    public func batches() -> AsyncStream<WatchBatch> {
        stream
    }

    /// Returns at once; the thread closes its descriptors and the stream finishes shortly after.
    public func stop() {
        stopSignal.signal()
    }

    /// Trailing slashes would double up in the paths built below the root.
    static func normalized(_ root: String) -> String {
        var root = root
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        return root
    }
}
