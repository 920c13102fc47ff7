internal import Glibc

/// A child orbrec starts and does not watch: a local machine, the attempt supervisor, an
/// attempt's command under its runner. It must outlive orbrec (so nothing of orbrec's may hold
/// its output), and whoever started it reaps it by its pid, or init does once orbrec is gone.
/// Everything orbrec waits for goes through `ChildProcess` instead.
public enum DetachedProcess {
    /// Starts `launch` and returns its pid. Its output goes to files or descriptors only:
    /// `.capture` and `.bytes` need a watcher, and are refused (EINVAL).
    public static func spawn(_ launch: ProcessLaunch) throws(SpawnError) -> Int32 {
        try Spawner.spawn(launch)
    }
}
