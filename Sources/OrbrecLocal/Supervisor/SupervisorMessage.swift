internal import Foundation
internal import OrbrecAttempts

/// What orbrec tells its attempt supervisor, one JSON object a line on the supervisor's stdin.
struct SupervisorOrder: Codable, Sendable {
    enum Operation: String, Codable, Sendable {
        /// Start an attempt's command.
        case start
    }

    var op: Operation
    /// The order's number, which its reply carries.
    var seq: Int?
    var pool: String
    var key: String
    var attempt: Int
    var action: String?
    var argv: [String]?
    /// The pool's environment, laid over the supervisor's own.
    var env: [String: String]?
    var workdir: String?
    var walltimeMs: Int64?
    /// How many attempts the supervisor runs at once (the scheduler's slots); nil: no limit.
    /// Orders beyond it wait in the supervisor's queue, started in order as slots free.
    var slots: Int?
    /// How many of this pool's attempts run at once (its parallelism); nil: no limit.
    var poolSlots: Int?
}

/// What the supervisor tells orbrec, one JSON object a line on its stdout.
struct SupervisorReply: Codable, Sendable {
    enum Kind: String, Codable, Sendable {
        /// The command runs (or could not be started: its end follows at once). For an order
        /// answered `queued`, a later `started` says when it left the queue.
        case started
        /// Taken: it waits in the queue for a free slot, and starts (or ends, if cancelled or
        /// its orbrec is gone meanwhile, with a result file either way) without another order.
        case queued
        /// Nothing was started (its files could not be made): an infra failure.
        case failed
        /// The command ended; its result file is written.
        case ended
        /// It takes no more orders (it was told to stop): its attempts still end and are told.
        case stopping
        /// Made by orbrec, never sent: the supervisor went away before answering (the
        /// attempt may have started).
        case gone
    }

    var kind: Kind
    var pool: String
    var key: String
    var attempt: Int
    var seq: Int?
    var pid: Int32?
    var ticks: UInt64?
    var message: String?
    var result: AttemptResult?
    /// A `failed` that retrying cannot cure (the attempt's path is too long to exist).
    var permanent: Bool?
}

/// The process-wide JSON coders of the supervisor's protocol.
enum SupervisorCoding {
    static func encodeLine<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = Array((try? encoder.encode(value)) ?? Data("{}".utf8))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    static func decode<T: Decodable>(_ type: T.Type, from line: ArraySlice<UInt8>) -> T? {
        try? JSONDecoder().decode(type, from: Data(line))
    }
}
