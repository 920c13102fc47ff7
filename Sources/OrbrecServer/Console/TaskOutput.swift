internal import Foundation
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
        guard let handle = FileHandle(forReadingAtPath: path) else {
            if let recorded, recorded.host != ProcessInfo.processInfo.hostName {
                throw APIError(.notFound, .notFound, "attempt \(attempt) of \(pool)/\(key) was started from \(recorded.host): its output stays there")
            }
            throw APIError(.notFound, .notFound, "attempt \(attempt) of \(pool)/\(key) has no \(stream.rawValue) (yet)")
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let skipped = size > UInt64(Self.maxBytes) ? size - UInt64(Self.maxBytes) : 0
        try? handle.seek(toOffset: skipped)
        let data = (try? handle.readToEnd()) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        return skipped > 0 ? "[… the first \(skipped) bytes are left out]\n" + text : text
    }

    /// `host:/path`, as the state records where files were made.
    static func location(_ text: String) -> (host: String, directory: String)? {
        guard let colon = text.firstIndex(of: ":"), text[text.index(after: colon)...].hasPrefix("/") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
