public import OrbrecCore
internal import Foundation

/// What the runner writes when an attempt ends, atomically (write, then rename), so that an
/// orbrec that was down meanwhile still learns how it ended.
public struct AttemptResult: Codable, Sendable, Hashable {
    public var owner: String
    public var scheduler: String
    public var pool: String
    public var key: String
    public var attempt: Int
    public var exitCode: Int?
    public var signal: Int?
    public var timedOut: Bool
    public var cancelled: Bool
    public var startedAt: Int64
    public var endedAt: Int64
    public var host: String

    public var outcome: AttemptOutcome {
        AttemptOutcome(exitCode: exitCode, signal: signal, timedOut: timedOut, cancelled: cancelled,
                       startedAt: Instant(millisecondsSinceEpoch: startedAt), endedAt: Instant(millisecondsSinceEpoch: endedAt), host: host)
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let temporary = path + ".tmp"
        try encoder.encode(self).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    static func read(from path: String) -> AttemptResult? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(AttemptResult.self, from: data)
    }
}
