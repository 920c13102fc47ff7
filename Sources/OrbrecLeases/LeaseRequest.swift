public import Foundation
public import OrbrecCore

/// A lease API request as its body and path give it, read and checked before the state is
/// looked at. Anyone who can reach the API chooses these bytes, so the reading is kept apart
/// from the routes: the fuzz target in Fuzz/ (fuzz-leases) drives it without a server.
public struct LeaseRequest {
    /// The most a `complete` result may hold: it is kept in the state file with the attempt.
    public static let maxResultBytes = 256 << 10
    public static let leaseRange: ClosedRange<Int64> = 1...3600
    public static let retryAfterRange: ClosedRange<Int64> = 0...86_400

    /// Why a request is refused before it acts: a bad request, or a result that is too large.
    public struct Refusal: Error, Sendable, Equatable {
        public var tooLarge: Bool
        public var code: APIErrorCode
        public var message: String

        static func bad(_ message: String, code: APIErrorCode = .badRequest) -> Refusal {
            Refusal(tooLarge: false, code: code, message: message)
        }
    }

    /// What a claim asks for.
    public struct Claim: Sendable, Equatable {
        public var worker: String
        public var lease: ConfigDuration
        public var machine: String?
    }

    /// The body's fields (empty for an empty body).
    public let fields: [String: Any]
    /// The body as sent, for the checks JSONSerialization cannot make.
    public let raw: Data

    /// An empty body is an empty object; anything else must be one JSON object.
    public init(body: Data) throws(Refusal) {
        raw = body
        if body.isEmpty {
            fields = [:]
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw .bad("the body must be a JSON object")
        }
        fields = object
    }

    public subscript(name: String) -> Any? { fields[name] }

    // MARK: Claim

    public func claim() throws(Refusal) -> Claim {
        guard let worker = fields["worker"] as? String, !worker.isEmpty, worker.count <= 200 else {
            throw .bad("worker must be a non-empty string (at most 200 characters)")
        }
        return Claim(worker: worker, lease: try leaseLength(default: 30), machine: try optionalString("machine"))
    }

    // MARK: Heartbeat, complete, fail, release

    /// The fencing token every report carries.
    public func token() throws(Refusal) -> String {
        guard let token = fields["token"] as? String, !token.isEmpty else {
            throw .bad("token must be the string the claim returned")
        }
        return token
    }

    /// The report `verb` (`heartbeat`, `complete`, `fail`; anything else is a release) makes.
    public func report(_ verb: String) throws(Refusal) -> LeaseReport {
        switch verb {
        case "heartbeat":
            return .heartbeat(lease: fields["leaseSeconds"] == nil ? nil : try leaseLength(default: 30))
        case "complete":
            return .complete(result: try result())
        case "fail":
            return .fail(reason: try optionalString("reason"),
                         retryAfter: try optionalInteger("retryAfterSeconds", range: Self.retryAfterRange).map { ConfigDuration.seconds($0) })
        default:
            return .release
        }
    }

    /// A `complete`'s result as the JSON text kept with the attempt: written as every API
    /// document is (APIJSON), so a result reported over MCP reads the same.
    func result() throws(Refusal) -> String? {
        guard let value = fields["result"] else { return nil }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]) else {
            throw .bad("result must be JSON that can be written back")
        }
        guard data.count <= Self.maxResultBytes else {
            throw Refusal(tooLarge: true, code: .tooLarge, message: "result is over 256 KiB")
        }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Fields

    func leaseLength(default seconds: Int64) throws(Refusal) -> ConfigDuration {
        .seconds(try optionalInteger("leaseSeconds", range: Self.leaseRange) ?? seconds)
    }

    func optionalInteger(_ name: String, range: ClosedRange<Int64>) throws(Refusal) -> Int64? {
        guard fields[name] != nil else { return nil }
        // Read by JSONDecoder, whose Int64 refuses `true`, `1.5` and `"1"`: JSONSerialization
        // cannot tell `1` from `true` on Linux.
        struct Integer: Decodable {
            let value: Int64?
            init(from decoder: any Decoder) throws { value = try? decoder.singleValueContainer().decode(Int64.self) }
        }
        guard let value = (try? JSONDecoder().decode([String: Integer].self, from: raw))?[name]?.value, range.contains(value) else {
            throw .bad("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func optionalString(_ name: String) throws(Refusal) -> String? {
        guard let raw = fields[name] else { return nil }
        guard let text = raw as? String, text.count <= 2000 else {
            throw .bad("\(name) must be a string (at most 2,000 characters)")
        }
        return text
    }

    // MARK: Path and identity

    /// A task's path segment, `POOL:KEY` percent-encoded.
    public static func taskID(_ text: String) throws(Refusal) -> TaskID {
        let decoded = text.removingPercentEncoding ?? text
        guard let colon = decoded.firstIndex(of: ":"), colon != decoded.startIndex, decoded.index(after: colon) != decoded.endIndex else {
            throw .bad("a task id is POOL:KEY (percent-encoded), like sims:7", code: .badTaskID)
        }
        return TaskID(pool: String(decoded[..<colon]), key: String(decoded[decoded.index(after: colon)...]))
    }

    /// What makes two requests under one Idempotency-Key the same: the method, the path, and
    /// the body as JSON, not as bytes (the same object with its keys in another order is the
    /// same request).
    public static func fingerprint(method: String, path: String, body: Data) -> String {
        var hasher = StableHasher()
        hasher.combine(method)
        hasher.combine(path)
        let canonical = (try? JSONSerialization.jsonObject(with: body)).flatMap {
            try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .fragmentsAllowed])
        } ?? body
        hasher.combine(String(decoding: canonical, as: UTF8.self))
        return hasher.hexDigest
    }
}
