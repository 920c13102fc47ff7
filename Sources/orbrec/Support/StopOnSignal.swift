internal import Glibc

/// Runs a command that follows something (`--watch`, `-f`) until it ends or SIGINT or
/// SIGTERM stops it: being stopped is how a follow ends, so it is a success (exit 0).
enum StopOnSignal {
    static func run(_ body: @escaping @Sendable () async throws -> Void) async throws -> ExitStatus {
        let signals = SignalEvents.stream([SIGINT, SIGTERM])
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask { for await _ in signals { return } }
            // Whichever ends first ends both: the body's end, or a signal.
            _ = try await group.next()
            group.cancelAll()
            return .success
        }
    }
}
