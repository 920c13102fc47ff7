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

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await Session.run(global) { session in
                let holder = try session.openExistingStore()?.currentLock()
                if json {
                    let document = holder.map {
                        ["id": $0.id, "operation": $0.operation, "who": $0.who, "host": $0.host, "pid": "\($0.pid)",
                         "created_at": Format.time($0.createdAt)]
                    }
                    session.terminal.out(try JSONOutput.string(["lock": document]))
                } else if let holder {
                    session.terminal.out("""
                        Locked:    \(holder.id)
                        Operation: \(holder.operation)
                        Who:       \(holder.who)
                        Process:   \(holder.pid) on \(holder.host)
                        Since:     \(Format.time(holder.createdAt))
                        """)
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

        @Argument(help: "The lock id.")
        var id: String

        func run() async throws {
            try await Session.run(global) { session in
                guard let store = try session.openExistingStore(), try store.forceUnlock(id: id, at: SystemClock().now()) else {
                    throw CommandFailure(.error, "no lock \(id) is held on this state")
                }
                session.terminal.out("Lock \(id) removed.")
                return .success
            }
        }
    }
}
