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
    /// Stopped by a signal from outside orbrec (a shutdown): an infra failure, retried.
    public var interrupted: Bool
    public var startedAt: Int64
    public var endedAt: Int64
    public var host: String

    public var outcome: AttemptOutcome {
        AttemptOutcome(exitCode: exitCode, signal: signal, timedOut: timedOut, lost: interrupted, cancelled: cancelled,
                       startedAt: Instant(millisecondsSinceEpoch: startedAt), endedAt: Instant(millisecondsSinceEpoch: endedAt), host: host)
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try UnsyncedFile.write(try encoder.encode(self), to: path)
    }

    public static func read(from path: String) -> AttemptResult? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(AttemptResult.self, from: data)
    }

    public init(owner: String, scheduler: String, pool: String, key: String, attempt: Int, exitCode: Int?, signal: Int?,
                timedOut: Bool, cancelled: Bool, interrupted: Bool = false, startedAt: Int64, endedAt: Int64, host: String) {
        self.owner = owner
        self.scheduler = scheduler
        self.pool = pool
        self.key = key
        self.attempt = attempt
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.interrupted = interrupted
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.host = host
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        owner = try container.decode(String.self, forKey: .owner)
        scheduler = try container.decode(String.self, forKey: .scheduler)
        pool = try container.decode(String.self, forKey: .pool)
        key = try container.decode(String.self, forKey: .key)
        attempt = try container.decode(Int.self, forKey: .attempt)
        exitCode = try container.decodeIfPresent(Int.self, forKey: .exitCode)
        signal = try container.decodeIfPresent(Int.self, forKey: .signal)
        timedOut = try container.decode(Bool.self, forKey: .timedOut)
        cancelled = try container.decode(Bool.self, forKey: .cancelled)
        interrupted = try container.decodeIfPresent(Bool.self, forKey: .interrupted) ?? false
        startedAt = try container.decode(Int64.self, forKey: .startedAt)
        endedAt = try container.decode(Int64.self, forKey: .endedAt)
        host = try container.decode(String.self, forKey: .host)
    }
}
