/// Reports changes to the configuration tree so the daemon reloads only when something moved.
///
/// Keep the watcher itself alive while consuming its stream: releasing the last reference
/// stops it, the same as `stop()`.
public protocol ConfigurationWatcher: Sendable {
    /// Debounced bursts, in order, until `stop()`. Call once.
    func batches() -> AsyncStream<WatchBatch>
    func stop()
}
