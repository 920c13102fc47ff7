internal import Glibc

/// The inotify side of `InotifyWatcher`: the descriptor, the wd → directory map, the files
/// known to exist and the pending burst.
///
/// `@unchecked Sendable` because it is built on the caller's thread, handed once to the
/// watcher's own thread and from then on touched only there; nothing in it is shared.
final class InotifyReader: @unchecked Sendable {
    /// While the root is missing (deleted, or moved away in a directory swap) nothing can
    /// report its return, so it is looked for on this period.
    private static let rootRetryInterval = Duration.milliseconds(250)
    private static let bufferSize = 64 * 1024

    private let root: String
    /// Root-relative directories never watched (what orbrec writes).
    private let excluded: Set<String>
    private let fd: Int32
    private let stopSignal: StopSignal
    private let continuation: AsyncStream<WatchBatch>.Continuation
    private var debouncer: Debouncer
    /// Root-relative path ("" for the root) of each watched directory.
    private var directories: [Int32: String] = [:]
    private var rootWatch: Int32?
    /// Configuration files believed present, with their inodes, so a rescan can tell which
    /// appeared, vanished or were replaced (a directory swapped for another holding the same
    /// names). Edits in place have their own events and need no comparison.
    private var knownFiles: [String: UInt64] = [:]
    private var nextRootRetry: ContinuousClock.Instant?

    /// Opens inotify and watches the tree; the files found are the baseline (no batch).
    init(root: String, excluded: Set<String> = [], debounce: Duration, maxDelay: Duration, stopSignal: StopSignal,
         continuation: AsyncStream<WatchBatch>.Continuation) throws(WatcherError) {
        self.root = root
        self.excluded = excluded
        self.stopSignal = stopSignal
        self.continuation = continuation
        debouncer = Debouncer(debounce: debounce, maxDelay: maxDelay)
        fd = inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        guard fd >= 0 else { throw WatcherError.fromErrno(code: "inotify-init", what: "inotify_init1") }
        let (found, failures) = rescanTree()
        if rootWatch == nil || failures.contains(where: { $0.errno == ENOSPC }) {
            let failure = failures.first { $0.errno == ENOSPC } ?? failures.first
            close(fd)
            let number = failure?.errno ?? ENOTDIR
            let code = number == ENOSPC ? "inotify-watch-limit" : "inotify-watch"
            throw WatcherError(code: code, message: "inotify_add_watch \(failure?.path ?? root): "
                + "\(String(cString: strerror(number))) (errno \(number))")
        }
        knownFiles = found
    }

    /// The thread's body: returns after `stop()` (or a broken descriptor), having closed both
    /// descriptors and finished the stream.
    func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 8)
        defer {
            buffer.deallocate()
            close(fd)
            stopSignal.close()
            continuation.finish()
        }
        while true {
            let now = ContinuousClock.now
            if let batch = debouncer.flush(at: now) { continuation.yield(batch) }
            if let retry = nextRootRetry, now >= retry {
                rescan(reportEverything: false, quietIfUnchanged: true)
                continue
            }
            var fds = [
                pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stopSignal.fd, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, nfds_t(fds.count), pollTimeout(now: now))
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            if fds[0].revents & Int16(POLLIN) != 0 {
                // One read per wake-up, not a drain: under a flood the loop still gets back to
                // `flush` so `maxDelay` holds.
                let count = read(fd, buffer.baseAddress, buffer.count)
                if count > 0 {
                    handle(InotifyEvent.parse(UnsafeRawBufferPointer(rebasing: buffer[0 ..< count])))
                } else if count < 0, errno != EAGAIN, errno != EINTR {
                    return
                }
            } else if fds[0].revents != 0 {
                return
            }
        }
    }

    private func handle(_ events: [InotifyEvent]) {
        let now = ContinuousClock.now
        var rescanNeeded = false
        var reportEverything = false
        for event in events {
            switch InotifyAction.interpret(event, directories: directories, rootWatch: rootWatch, excluded: excluded) {
            case .ignore:
                break
            case let .file(path, change):
                knownFiles[path] = change.exists ? DirectoryWalker.entry(root + "/" + path)?.inode : nil
                debouncer.record([path], kind: change.countKey, at: now)
            case let .fileCreated(path):
                let entry = DirectoryWalker.entry(root + "/" + path)
                knownFiles[path] = entry?.inode
                debouncer.count("created")
                // A symlink or a new hard link is complete when created; no IN_CLOSE_WRITE follows.
                if entry?.isLink == true { debouncer.record([path], at: now) }
            case .directoryChanged, .rootLost:
                debouncer.count("directory")
                rescanNeeded = true
            case let .watchRemoved(wd):
                directories[wd] = nil
                if wd == rootWatch {
                    rootWatch = nil
                    rescanNeeded = true
                }
            case .overflow:
                debouncer.count("overflow")
                rescanNeeded = true
                reportEverything = true
            }
        }
        // Once per read, not per event: `mkdir -p a/b/c` arrives as one read.
        if rescanNeeded { rescan(reportEverything: reportEverything) }
    }

    /// After an overflow nothing is known about what changed, so every file is reported;
    /// otherwise only files that appeared, vanished or changed inode. A rescan caused by an
    /// event always makes a batch; a retry looking for a missing root only if it found something.
    private func rescan(reportEverything: Bool, quietIfUnchanged: Bool = false) {
        let (found, _) = rescanTree()
        let changed = Set(knownFiles.keys).union(found.keys).filter { path in
            reportEverything || knownFiles[path] != found[path]
        }
        knownFiles = found
        let now = ContinuousClock.now
        if !(quietIfUnchanged && changed.isEmpty) { debouncer.record(changed, rescanned: true, at: now) }
        nextRootRetry = rootWatch == nil ? now + Self.rootRetryInterval : nil
    }

    /// Re-adds watches over the whole tree and lists its configuration files.
    /// `inotify_add_watch` on a directory already watched returns its existing wd, so this
    /// also relabels directories renamed inside the tree; wds no longer reached are removed
    /// so directories moved out of the tree stop reporting.
    private func rescanTree() -> (found: [String: UInt64], failures: [(path: String, errno: Int32)]) {
        var watched: [Int32: String] = [:]
        var found: [String: UInt64] = [:]
        var failures: [(path: String, errno: Int32)] = []
        DirectoryWalker.walk(root: root, skipping: excluded, enter: { relative, absolute in
            // The root may itself be a symlink (a deploy's "current" link); below it, never follow.
            let mask: InotifyMask = relative.isEmpty ? .directoryWatch : InotifyMask.directoryWatch.union(.dontFollow)
            let wd = inotify_add_watch(fd, absolute, mask.rawValue)
            guard wd >= 0 else {
                failures.append((absolute, errno))
                return false
            }
            watched[wd] = relative
            return true
        }, file: { relative, absolute in
            found[relative] = DirectoryWalker.entry(absolute)?.inode ?? 0
        })
        for wd in directories.keys where watched[wd] == nil {
            _ = inotify_rm_watch(fd, wd)
        }
        directories = watched
        rootWatch = watched.first { $0.value.isEmpty }?.key
        return (found, failures)
    }

    private func pollTimeout(now: ContinuousClock.Instant) -> Int32 {
        let wake = [debouncer.deadline, nextRootRetry].compactMap(\.self).min()
        guard let wake else { return -1 }
        let remaining = now.duration(to: wake)
        guard remaining > .zero else { return 0 }
        // Rounded up: waking a hair early would spin through poll(…, 0) until the deadline.
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }
}
