/// What one inotify event means for the watcher. Decided from the event and the wd map alone,
/// so every case (overflow included) is testable without a kernel.
enum InotifyAction: Equatable, Sendable {
    case ignore
    /// A configuration file changed in a way worth reporting now.
    case file(path: String, change: FileChange)
    /// A configuration file appeared. It is usually still being written, so it is counted but
    /// only reported by the IN_CLOSE_WRITE that follows (or at once if it is a symlink).
    case fileCreated(path: String)
    /// A directory appeared, vanished or moved: the tree's watches must be re-added.
    case directoryChanged
    /// The kernel dropped a watch (IN_IGNORED): its directory is gone or was unwatched.
    case watchRemoved(wd: Int32)
    /// The watched root itself was deleted, moved away or unmounted.
    case rootLost
    /// The kernel queue overflowed and events were lost.
    case overflow

    enum FileChange: Equatable, Sendable {
        case modified, deleted, movedOut, movedIn

        /// The `WatchBatch.counts` key.
        var countKey: String {
            switch self {
            case .modified: "modified"
            case .deleted: "deleted"
            case .movedOut, .movedIn: "moved"
            }
        }

        /// Whether the file is at its path after the change.
        var exists: Bool { self == .modified || self == .movedIn }
    }

    static func interpret(_ event: InotifyEvent, directories: [Int32: String], rootWatch: Int32?,
                          excluded: Set<String> = []) -> InotifyAction {
        let mask = event.mask
        if mask.contains(.queueOverflow) { return .overflow }
        if mask.contains(.ignored) { return .watchRemoved(wd: event.wd) }
        // Events still queued for a watch that a rescan already removed.
        guard let directory = directories[event.wd] else { return .ignore }
        if event.name.isEmpty {
            // A subdirectory's own DELETE_SELF/MOVE_SELF is also seen as an entry event in
            // its parent, which is the one acted on.
            if event.wd == rootWatch, !mask.isDisjoint(with: [.deleteSelf, .moveSelf, .unmount]) { return .rootLost }
            return mask.contains(.unmount) ? .directoryChanged : .ignore
        }
        if ConfigurationFileFilter.isHidden(event.name) { return .ignore }
        if mask.contains(.isDirectory) {
            // A directory orbrec writes into coming or going changes no configuration.
            if excluded.contains(ConfigurationFileFilter.join(directory, event.name)) { return .ignore }
            return mask.isDisjoint(with: [.create, .delete, .movedFrom, .movedTo]) ? .ignore : .directoryChanged
        }
        guard ConfigurationFileFilter.isConfigurationFile(event.name) else { return .ignore }
        let path = ConfigurationFileFilter.join(directory, event.name)
        if mask.contains(.closeWrite) { return .file(path: path, change: .modified) }
        if mask.contains(.movedTo) { return .file(path: path, change: .movedIn) }
        if mask.contains(.movedFrom) { return .file(path: path, change: .movedOut) }
        if mask.contains(.delete) { return .file(path: path, change: .deleted) }
        if mask.contains(.create) { return .fileCreated(path: path) }
        return .ignore
    }
}
