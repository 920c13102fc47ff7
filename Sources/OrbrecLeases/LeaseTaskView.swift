public import Foundation
internal import Glibc
public import OrbrecCore
public import OrbrecStore

/// A pull-mode attempt as a worker sees it, the same over the lease API and over MCP: which
/// attempt, what it holds, and the task's values. Field names are the contract
/// (`leaseExpiresAt`); times are ISO 8601 strings.
public struct LeaseTaskView: Encodable, Sendable {
    public var id: String
    public var pool: String
    public var key: String
    public var attempt: Int
    /// `leased`, `completed`, `retrying`, `dead_letter`, `pending` (released), `cancelled`.
    public var state: String
    public var token: String?
    public var leaseExpiresAt: String?
    public var leaseSeconds: Int64?
    public var worker: String?
    public var machine: String?
    public var item: String?
    public var index: Int?
    public var params: [String: String]?
    public var command: [String]?
    public var env: [String: String]?
    public var nextTryAt: String?
    public var reason: String?

    /// `record` as `state`; the token, the lease's end and the pool's env only for its holder.
    /// `definition`: the task's values when the caller has them at hand (else found in the pool).
    public init(_ record: LeaseRecord, pool: TaskPoolSpec?, state: String, holder: Bool, nextTryAt: Instant? = nil,
                definition known: TaskDefinition? = nil) {
        let definition = known ?? pool?.tasks.first { $0.key == record.key }
        let argv = definition.flatMap { definition in pool.map { $0.argv(for: definition, attempt: record.attempt) } } ?? []
        id = "\(record.pool):\(record.key)"
        self.pool = record.pool
        key = record.key
        attempt = record.attempt
        self.state = state
        token = holder ? record.token : nil
        leaseExpiresAt = holder ? record.expiresAt.map(Self.iso) : nil
        leaseSeconds = holder ? record.leaseMilliseconds.map { $0 / 1000 } : nil
        worker = record.worker
        machine = record.machine
        item = definition?.variables["item"]
        index = definition?.index
        params = definition.map { $0.variables.filter { $0.key != "item" } }.flatMap { $0.isEmpty ? nil : $0 }
        command = argv.isEmpty ? nil : argv
        env = holder && !(pool?.env.isEmpty ?? true) ? pool?.env : nil
        self.nextTryAt = nextTryAt.map(Self.iso)
        reason = record.reason
    }

    /// Instants as the lease API writes them: ISO 8601 with milliseconds, in UTC.
    public static func iso(_ instant: Instant) -> String {
        // By hand: a formatter made for every answer cost more than the rest of a claim.
        let milliseconds = instant.millisecondsSinceEpoch
        let whole = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        var seconds = time_t(whole)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds - whole * 1000), 3))Z"
    }
}
