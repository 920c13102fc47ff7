internal import Glibc

/// Small, allocation-light readers of `/proc`, the source of truth for local processes.
enum ProcFileSystem {
    /// The whole content of a small file, or nil when it cannot be read (the process is gone).
    static func read(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    /// The numeric entries of `/proc`: every process id.
    static func processIDs() -> [Int32] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var pids: [Int32] = []
        // readdir fills only as many bytes of the entry as its name needs: copying the whole
        // `dirent` (as `entry.pointee.d_name` does) can read past the end of that buffer and
        // fault on a page boundary. Read the name through the pointer, as a C string.
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while let entry = readdir(directory) {
            let name = (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self)
            if let pid = Self.processID(named: name) { pids.append(pid) }
        }
        return pids
    }

    /// The number a `/proc` entry's name spells, without building a String for the many
    /// entries that are not processes.
    private static func processID(named name: UnsafePointer<CChar>) -> Int32? {
        var value: Int32 = 0
        var index = 0
        while true {
            let byte = UInt8(bitPattern: name[index])
            if byte == 0 { break }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), index < 10 else { return nil }
            let (product, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowedSum) = product.addingReportingOverflow(Int32(byte - UInt8(ascii: "0")))
            guard !overflowed, !overflowedSum else { return nil }
            value = sum
            index += 1
        }
        return index == 0 ? nil : value
    }

    /// The fields of `/proc/PID/stat` that orbrec uses.
    struct Stat: Equatable {
        var state: Character
        var parent: Int32
        var processGroup: Int32
        var session: Int32
        /// Clock ticks since boot when the process started: with the pid, a unique identity.
        var startTicks: UInt64
    }

    static func stat(of pid: Int32) -> Stat? {
        guard let bytes = read("/proc/\(pid)/stat", limit: 4096),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // The command name may hold spaces and parentheses: fields start after the last ')'.
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]),
              let group = Int32(fields[2]), let session = Int32(fields[3]), let start = UInt64(fields[19]) else { return nil }
        return Stat(state: state, parent: parent, processGroup: group, session: session, startTicks: start)
    }

    /// The environment a process was started with.
    static func environment(of pid: Int32) -> [String: String] {
        guard let bytes = read("/proc/\(pid)/environ") else { return [:] }
        var result: [String: String] = [:]
        for entry in bytes.split(separator: 0) {
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            result[String(decoding: entry[..<equals], as: UTF8.self)] = String(decoding: entry[(equals + 1)...], as: UTF8.self)
        }
        return result
    }

    /// Seconds since the epoch at which the machine booted (`btime` of /proc/stat).
    static func bootTime() -> Int64 {
        guard let bytes = read("/proc/stat") else { return 0 }
        for line in bytes.split(separator: UInt8(ascii: "\n")) where line.starts(with: Array("btime ".utf8)) {
            return Int64(String(decoding: line.dropFirst(6), as: UTF8.self).trimmingSpaces) ?? 0
        }
        return 0
    }

    /// Waits (up to a second) until a just-spawned process has exec'd and shows `tag` in its
    /// environment, or has exited: posix_spawn returns before the new image's environment is
    /// readable, and an observation in that window must not miss the process.
    static func waitUntilTagged(_ pid: Int32, tag: String) {
        let marker = Array((tag + "=").utf8)
        for _ in 0..<200 {
            guard let stat = stat(of: pid), stat.state != "Z" else { return }
            if let bytes = read("/proc/\(pid)/environ"), bytes.split(separator: 0).contains(where: { $0.starts(with: marker) }) { return }
            usleep(5_000)
        }
    }

    static let ticksPerSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))
}

extension String {
    var trimmingSpaces: String {
        String(self.drop(while: { $0 == " " || $0 == "\n" }).reversed().drop(while: { $0 == " " || $0 == "\n" }).reversed())
    }
}
