internal import Foundation
internal import Glibc

/// One daemon per state: an exclusive flock on `<state>.daemon` held for the daemon's
/// life (the kernel drops it when the process ends, even on kill -9). Two daemons on one
/// state would be safe (the state lock serialises their passes) but would double every
/// observation and fight over the queue; the second one is refused instead.
struct DaemonInstanceLock {
    let descriptor: Int32

    static func acquire(statePath: String) throws -> DaemonInstanceLock {
        let path = statePath + ".daemon"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CommandFailure(.error, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = pread(descriptor, &buffer, buffer.count, 0)
            let holder = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(descriptor)
            throw CommandFailure(.error, "another orbrec run (pid \(holder)) is already running on the state \(statePath)")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, pid, pid.count, 0)
        return DaemonInstanceLock(descriptor: descriptor)
    }
}
