/// One debounced burst of changes.
public struct WatchBatch: Sendable, Equatable {
    /// Configuration files (relative to the watched root, e.g. "fleets/web.yaml") seen changed, created, deleted or renamed in the burst.
    public var paths: Set<String>
    /// True when the kernel queue overflowed (IN_Q_OVERFLOW) or a directory was created/moved in, so the whole tree was rescanned.
    public var rescanned: Bool
    /// Raw events of the burst by kind, for metrics: keys "modified", "created", "deleted", "moved", "directory", "overflow" (omit zero counts).
    public var counts: [String: Int]

    public init(paths: Set<String> = [], rescanned: Bool = false, counts: [String: Int] = [:]) {
        self.paths = paths
        self.rescanned = rescanned
        self.counts = counts
    }
}
