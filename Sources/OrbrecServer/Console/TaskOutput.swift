internal import Foundation
internal import Glibc
internal import HTTPTypes
internal import OrbrecCore
internal import OrbrecStore

/// One attempt's output as `orbrec tasks logs` finds it: `<root>/<pool>/<key>/<attempt>.out`
/// (or `.err`), the root being where the orbrec that started the attempt kept its files (the
/// attempt's recorded location) or, without one, this daemon's task directory.
struct TaskOutput {
    /// More than this is cut from the front: the end of a long log is what a reader wants.
    static let maxBytes = 1 << 20

    let taskDirectory: String?

    enum Stream: String {
        case stdout, stderr

        var suffix: String { self == .stdout ? "out" : "err" }
    }

    /// The text of the attempt's stream; an APIError when it cannot be read here.
    func read(pool: String, key: String, attempt: Int, stream: Stream, recordedLocation: String?) throws -> String {
        let recorded = recordedLocation.flatMap(Self.location)
        guard let root = recorded?.directory ?? taskDirectory else {
            throw APIError(.notFound, .notFound, "attempt \(attempt) of \(pool)/\(key) has no output kept by orbrec")
        }
        let path = "\(root)/\(pool)/\(TaskKeyPath.component(key))/\(attempt).\(stream.suffix)"
        guard let handle = Self.openRegularFile(path) else {
            if let recorded, recorded.host != ProcessInfo.processInfo.hostName {
                throw APIError(.notFound, .notFound, "attempt \(attempt) of \(pool)/\(key) was started from \(recorded.host): its output stays there")
            }
            throw APIError(.notFound, .notFound, "attempt \(attempt) of \(pool)/\(key) has no \(stream.rawValue) (yet)")
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let skipped = size > UInt64(Self.maxBytes) ? size - UInt64(Self.maxBytes) : 0
        try? handle.seek(toOffset: skipped)
        // At most maxBytes even while the attempt still writes: reading to the end of a file
        // that grows as fast as it is read would never stop.
        let data = (try? handle.read(upToCount: Self.maxBytes)) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        return skipped > 0 ? "[… the first \(skipped) bytes are left out]\n" + text : text
    }

    /// The file at `path` when it is a regular file, not through a symbolic link. The attempt's
    /// command runs as the daemon's user and may replace its output file: a link to the tokens
    /// file or an SSH key would hand it to every reader of the API, and a FIFO would block the
    /// open (a thread of the daemon's cooperative pool) until something writes to it.
    static func openRegularFile(_ path: String) -> FileHandle? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return nil
        }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// `host:/path`, as the state records where files were made.
    static func location(_ text: String) -> (host: String, directory: String)? {
        guard let colon = text.firstIndex(of: ":"), text[text.index(after: colon)...].hasPrefix("/") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
