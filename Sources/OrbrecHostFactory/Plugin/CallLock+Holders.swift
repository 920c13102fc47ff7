internal import Foundation
internal import Glibc

extension CallLock {
    /// When the call holding the lock at `path` started: the lock file is made just before its
    /// script is spawned and is never written, so its mtime is the start, whichever orbrec
    /// spawned it. Nil when there is no lock file.
    static func startedAt(_ path: String) -> Date? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9)
    }

    /// The processes that have the lock file open: the script and whatever inherited its
    /// descriptor 3. They are found by the file's device and inode under /proc/*/fd, not by a
    /// recorded pid, so a pid reused since by something else is never named. The caller itself
    /// is left out.
    static func holders(_ path: String) -> [pid_t] {
        var lockStatus = stat()
        guard stat(path, &lockStatus) == 0,
              let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let me = getpid()
        var found: [pid_t] = []
        for entry in entries {
            guard let pid = pid_t(entry), pid != me else { continue }
            let descriptors = "/proc/\(entry)/fd"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: descriptors) else { continue }
            for name in names {
                var status = stat()
                if stat(descriptors + "/" + name, &status) == 0 && status.st_dev == lockStatus.st_dev && status.st_ino == lockStatus.st_ino {
                    found.append(pid)
                    break
                }
            }
        }
        return found
    }

    /// Ends a call whose script will not: SIGTERM to each holder and its process group (the
    /// script's session, and what it started), then SIGKILL after `grace`. Whether the lock is
    /// free at the end; false too when no holder can be seen.
    static func stopHolders(_ path: String, grace: Duration = .seconds(2)) async -> Bool {
        let clock = ContinuousClock()
        for signal in [SIGTERM, SIGKILL] {
            guard isHeld(path) else { return true }
            let holders = holders(path)
            // Held by what this user cannot see (another user's process): nothing to stop.
            guard !holders.isEmpty else { return false }
            for pid in holders {
                let group = getpgid(pid)
                if group > 1 && group != getpgrp() { kill(-group, signal) }
                kill(pid, signal)
            }
            let end = clock.now.advanced(by: grace)
            while isHeld(path) && clock.now < end {
                try? await Task.sleep(for: .milliseconds(25))
            }
        }
        return !isHeld(path)
    }
}
