internal import Foundation

/// Walks the configuration tree every `interval` and reports what differs from the last
/// walk: for file systems where inotify sees nothing (NFS, some bind mounts) or hosts out of
/// inotify instances. Costs a stat per configuration file per interval and up to `interval`
/// of latency.
public final class PollingWatcher: ConfigurationWatcher {
    private let stream: AsyncStream<WatchBatch>
    private let stopper = StopCondition()

    /// The first walk happens here and is the baseline (no batch), so changes made right after
    /// `init` returns are reported. Directories in `excluding` (absolute, or relative to the
    /// current directory) are never walked: what orbrec writes there is not configuration.
    public init(root: String, interval: Duration = .seconds(1), excluding: [String] = []) {
        let root = InotifyWatcher.normalized(root)
        let skipping = ConfigurationFileFilter.relativePaths(of: excluding, under: root)
        let (stream, continuation) = AsyncStream.makeStream(of: WatchBatch.self)
        self.stream = stream
        let stopper = stopper
        continuation.onTermination = { _ in stopper.stop() }
        let baseline = FileStamp.snapshot(of: root, skipping: skipping)
        let thread = Thread {
            var previous = baseline
            while !stopper.wait(for: interval) {
                let current = FileStamp.snapshot(of: root, skipping: skipping)
                if let batch = Self.difference(from: previous, to: current) { continuation.yield(batch) }
                previous = current
            }
            continuation.finish()
        }
        thread.name = "orbrec-poll"
        thread.start()
    }

    deinit {
        stopper.stop()
    }

    public func batches() -> AsyncStream<WatchBatch> {
        stream
    }

    public func stop() {
        stopper.stop()
    }

    /// The batch for going from one walk to the next; nil when nothing changed.
    static func difference(from previous: [String: FileStamp], to current: [String: FileStamp]) -> WatchBatch? {
        var batch = WatchBatch()
        for (path, stamp) in current {
            switch previous[path] {
            case nil:
                batch.paths.insert(path)
                batch.counts["created", default: 0] += 1
            case let old? where old != stamp:
                batch.paths.insert(path)
                batch.counts["modified", default: 0] += 1
            default:
                break
            }
        }
        for path in previous.keys where current[path] == nil {
            batch.paths.insert(path)
            batch.counts["deleted", default: 0] += 1
        }
        return batch.paths.isEmpty ? nil : batch
    }
}
