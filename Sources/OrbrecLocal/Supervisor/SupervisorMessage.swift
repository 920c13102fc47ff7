internal import Foundation

/// What orbrec tells its attempt supervisor, one JSON object a line on the supervisor's stdin.
struct SupervisorOrder: Codable, Sendable {
    enum Operation: String, Codable, Sendable {
        /// Start an attempt's command.
        case start
        /// Stop an attempt and record it as cancelled.
        case cancel
    }

    var op: Operation
    var pool: String
    var key: String
    var attempt: Int
    var action: String?
    var argv: [String]?
    /// The pool's environment, laid over the supervisor's own.
    var env: [String: String]?
    var workdir: String?
    var walltimeMs: Int64?
}

/// What the supervisor tells orbrec, one JSON object a line on its stdout.
struct SupervisorReply: Codable, Sendable {
    enum Kind: String, Codable, Sendable {
        /// The command runs (or could not be started: its end follows at once).
        case started
        /// Nothing was started (its files could not be made): an infra failure.
        case failed
        /// The command ended; its result file is written.
        case ended
    }

    var kind: Kind
    var pool: String
    var key: String
    var attempt: Int
    var pid: Int32?
    var ticks: UInt64?
    var message: String?
    var result: AttemptResult?
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
