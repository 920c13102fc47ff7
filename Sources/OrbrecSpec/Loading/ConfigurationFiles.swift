internal import Foundation
internal import Glibc

/// Finds and reads the files of a configuration directory: every `*.yaml`, `*.yml` and
/// `*.json` below it, skipping hidden entries (and so `.orbrec/`), in a stable order.
///
/// Whoever can commit to the directory chooses what is in it, so the walk is defensive: each
/// directory is entered once (by device and inode, so a link back up is one `directory-loop`
/// problem, not an endless walk); a symbolic link is followed only while its target stays
/// inside the directory; only regular files are opened (a FIFO would block the reader, a
/// device never ends); a file larger than `maxFileBytes` is refused unread. Directories
/// orbrec writes into (the state's, task outputs) are skipped, by identity, under any name.
enum ConfigurationFiles {
    static let extensions: Set<String> = ["yaml", "yml", "json"]
    /// The largest file read. A configuration of 20,000 documents is a few megabytes.
    static let maxFileBytes = 32 << 20

    /// Something in the directory that is not read, at `relative` (a path below the root).
    struct Problem: Error {
        var relative: String
        var code: String
        var message: String
    }

    struct Listing {
        /// Paths relative to the root, sorted; `[""]` when the root is a file itself.
        var files: [String]
        var problems: [Problem]
    }

    private struct Identity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// Lists the configuration files below `root`, never entering the directories
    /// `excluding` names (those that do not exist cannot be below it); throws when `root`
    /// cannot be read at all.
    static func list(in root: String, excluding: [String] = []) throws -> Listing {
        guard let rootStatus = status(of: root, following: true) else { throw CocoaError(.fileNoSuchFile) }
        let excluded = Set(excluding.compactMap { status(of: $0, following: true) }.filter(isDirectory).map(identity))
        if !isDirectory(rootStatus) { return Listing(files: [""], problems: []) }
        guard let realRoot = realPath(root) else { throw CocoaError(.fileNoSuchFile) }
        var found: [String] = []
        var problems: [Problem] = []
        var entered: [Identity: String] = [identity(rootStatus): ""]
        var pending = [""]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? root : root + "/" + relative
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: absolute)
            } catch {
                if relative.isEmpty { throw error }
                problems.append(Problem(relative: relative, code: "unreadable-directory", message: "cannot list the directory '\(relative)'"))
                continue
            }
            // Real entries before links, so that a directory reached both ways is read as itself.
            let statuses = entries.filter { !$0.hasPrefix(".") }.compactMap { entry -> (String, stat)? in
                let child = relative.isEmpty ? entry : relative + "/" + entry
                return status(of: root + "/" + child, following: false).map { (entry, $0) }
            }.sorted { isLink($0.1) == isLink($1.1) ? $0.0 < $1.0 : !isLink($0.1) }
            for (entry, own) in statuses {
                let child = relative.isEmpty ? entry : relative + "/" + entry
                let path = root + "/" + child
                // A dangling link is skipped as before: there is nothing to read or to follow.
                guard let target = isLink(own) ? status(of: path, following: true) : own else { continue }
                if isLink(own) {
                    guard let resolved = realPath(path) else { continue }
                    if resolved != realRoot && !resolved.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") {
                        problems.append(Problem(relative: child, code: "link-outside",
                                                message: "'\(child)' is a symbolic link to '\(resolved)', outside the configuration directory; orbrec does not follow links out of it"))
                        continue
                    }
                }
                if isDirectory(target) {
                    if excluded.contains(identity(target)) { continue }
                    if let first = entered[identity(target)] {
                        let message = if first.isEmpty {
                            "'\(child)' leads back to the configuration directory itself; orbrec reads each directory once and does not follow the loop"
                        } else if child.hasPrefix(first + "/") {
                            "'\(child)' leads back to '\(first)'; orbrec reads each directory once and does not follow the loop"
                        } else {
                            "'\(child)' is the directory '\(first)' again; orbrec reads each directory once"
                        }
                        problems.append(Problem(relative: child, code: "directory-loop", message: message))
                        continue
                    }
                    entered[identity(target)] = child
                    pending.append(child)
                    continue
                }
                guard hasConfigurationExtension(entry) else { continue }
                if (target.st_mode & S_IFMT) != S_IFREG {
                    problems.append(Problem(relative: child, code: "not-a-regular-file",
                                            message: "'\(child)' is \(kind(of: target)), not a regular file; orbrec reads only regular files"))
                    continue
                }
                found.append(child)
            }
        }
        return Listing(files: found.sorted(), problems: problems)
    }

    /// The bytes of a configuration file, refusing anything but a regular file of at most
    /// `maxFileBytes`. The type is checked before the open (opening a device can act on it)
    /// and again on the open descriptor, in case the entry was replaced in between; the open
    /// never blocks, even on a FIFO.
    static func read(_ path: String, relative: String) -> Result<[UInt8], Problem> {
        let shown = relative.isEmpty ? (path as NSString).lastPathComponent : relative
        guard let before = status(of: path, following: true) else {
            return .failure(Problem(relative: relative, code: "unreadable-file", message: "cannot read '\(shown)': it no longer exists"))
        }
        if (before.st_mode & S_IFMT) != S_IFREG {
            return .failure(Problem(relative: relative, code: "not-a-regular-file",
                                    message: "'\(shown)' is \(kind(of: before)), not a regular file; orbrec reads only regular files"))
        }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            return .failure(Problem(relative: relative, code: "unreadable-file", message: "cannot open '\(shown)': \(String(cString: strerror(errno)))"))
        }
        defer { close(descriptor) }
        var opened = stat()
        guard fstat(descriptor, &opened) == 0, (opened.st_mode & S_IFMT) == S_IFREG else {
            return .failure(Problem(relative: relative, code: "not-a-regular-file",
                                    message: "'\(shown)' is \(kind(of: opened)), not a regular file; orbrec reads only regular files"))
        }
        if Int(opened.st_size) > maxFileBytes {
            return .failure(tooLarge(relative, shown))
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(Problem(relative: relative, code: "unreadable-file", message: "cannot read '\(shown)': \(String(cString: strerror(errno)))"))
            }
            if count == 0 { break }
            bytes += chunk[..<count]
            // The file may grow after fstat; never read more than the limit.
            if bytes.count > maxFileBytes { return .failure(tooLarge(relative, shown)) }
        }
        return .success(bytes)
    }

    private static func tooLarge(_ relative: String, _ shown: String) -> Problem {
        Problem(relative: relative, code: "file-too-large",
                message: "'\(shown)' is larger than \(maxFileBytes >> 20) MiB; orbrec reads configuration files up to that size")
    }

    private static func hasConfigurationExtension(_ entry: String) -> Bool {
        guard let dot = entry.lastIndex(of: ".") else { return false }
        return extensions.contains(String(entry[entry.index(after: dot)...]).lowercased())
    }

    private static func status(of path: String, following: Bool) -> stat? {
        var result = stat()
        return (following ? stat(path, &result) : lstat(path, &result)) == 0 ? result : nil
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func isLink(_ status: stat) -> Bool { (status.st_mode & S_IFMT) == S_IFLNK }

    private static func isDirectory(_ status: stat) -> Bool { (status.st_mode & S_IFMT) == S_IFDIR }

    private static func identity(_ status: stat) -> Identity {
        Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    private static func kind(of status: stat) -> String {
        switch status.st_mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file"
        }
    }
}
