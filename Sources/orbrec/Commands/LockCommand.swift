internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecEngine

struct LockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock", abstract: "The state lock.", subcommands: [Status.self, ForceUnlock.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Who holds the state lock, if anyone.")

        @OptionGroup var global: GlobalOptions

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Session.run(global) { session in
                let holder = try await session.openJournal()?.currentLock()
                if output.format.isDocument {
                    try session.terminal.document(LockDocument(lock: holder.map(LockDocument.Holder.init)), as: output.format)
                } else if let holder {
                    session.terminal.out("""
                        Locked:    \(holder.id)
                        Operation: \(holder.operation)
                        Who:       \(holder.who)
                        Process:   \(holder.pid) on \(holder.host)
                        Since:     \(Format.time(holder.createdAt))
                        """)
                    if let expiresAt = holder.expiresAt {
                        let left = expiresAt.milliseconds(since: SystemClock().now())
                        let when = left >= 0 ? "in \(Format.duration(left)), unless renewed" : "lapsed: the next command takes it over"
                        session.terminal.out("Expires:   \(Format.time(expiresAt)) (\(when))")
                    }
                } else {
                    session.terminal.out("The state is not locked.")
                }
                return .success
            }
        }
    }

    struct ForceUnlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "force-unlock", abstract: "Remove a lock whose holder is gone. Give its id, as 'lock status' shows it.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The lock id.", completion: ResourceCompletion.kind(.lock))
        var id: String

        @Flag(help: "Remove the lock even though its holder still runs on this host.")
        var force = false

        func run() async throws {
            try await Session.run(global) { session in
                guard let store = try await session.openExistingStore() else { throw CommandFailure(.error, "no lock \(id) is held on this state") }
                // Removing a live holder's lock lets a second process act beside it: only on request.
                if !force, let holder = try await store.currentLock(), holder.id == id, Session.holderIsAliveHere(holder) {
                    throw CommandFailure(.error, "lock \(id) is held by a running process: \(holder.operation) by \(holder.who), "
                        + "pid \(holder.pid) on this host, since \(Format.time(holder.createdAt)). Stop that process, "
                        + "or pass --force to remove its lock anyway")
                }
                guard try await store.forceUnlock(id: id, at: SystemClock().now()) else {
                    throw CommandFailure(.error, "no lock \(id) is held on this state")
                }
                session.terminal.out("Lock \(id) removed.")
                return .success
            }
        }
    }
}

/// `lock status --json`: `{"lock": null}` or `{"lock": {"id", "operation", "who", "host", "pid", "created_at", "expires_at"}}`
/// (`expires_at` null for a lock that never lapses).
struct LockDocument: Encodable {
    struct Holder: Encodable {
        var id: String
        var operation: String
        var who: String
        var host: String
        var pid: Int32
        var createdAt: Int64
        var expiresAt: Int64?

        enum CodingKeys: String, CodingKey {
            case id, operation, who, host, pid
            case createdAt = "created_at"
            case expiresAt = "expires_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(operation, forKey: .operation)
            try container.encode(who, forKey: .who)
            try container.encode(host, forKey: .host)
            try container.encode(pid, forKey: .pid)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(expiresAt, forKey: .expiresAt)
        }

        init(_ record: LockRecord) {
            id = record.id
            operation = record.operation
            who = record.who
            host = record.host
            pid = record.pid
            createdAt = record.createdAt.millisecondsSinceEpoch
            expiresAt = record.expiresAt?.millisecondsSinceEpoch
        }
    }

    var lock: Holder?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lock, forKey: .lock)
    }

    enum CodingKeys: String, CodingKey { case lock }
}
