/// How the configuration directory is watched.
///
/// `poll` exists for file systems where inotify says nothing (NFS, some container bind mounts)
/// and for hosts that ran out of inotify instances or watches.
public enum WatchMode: String, Sendable, CaseIterable {
    case inotify, poll
}
