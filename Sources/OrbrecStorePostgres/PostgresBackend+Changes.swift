package import OrbrecStore
internal import PostgresNIO

extension PostgresBackend {
    /// Listens on this schema's channels on a connection of its own: `orbrec_events_<schema>`
    /// (the event tail announces its last seq at commit) and `orbrec_ends_<schema>` (leased
    /// attempts ended through some process's lease API). After every (re)connection it yields
    /// `.events(upTo: 0)`, since notifications sent meanwhile are lost. Its own ends are not
    /// repeated to it.
    package func changes() -> AsyncStream<StateChange> {
        let (stream, continuation) = AsyncStream<StateChange>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let client = self.client
        let schema = self.schema
        let origin = self.origin
        let task = Task {
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        let events = try await connection.listen("orbrec_events_" + schema)
                        let ends = try await connection.listen("orbrec_ends_" + schema)
                        continuation.yield(.events(upTo: 0))
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for try await notification in events {
                                    continuation.yield(.events(upTo: Int64(notification.payload) ?? 0))
                                }
                            }
                            group.addTask {
                                for try await notification in ends {
                                    let fields = notification.payload.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                                    guard fields.count == 4, fields[0] != origin, let attempt = Int(fields[3]) else { continue }
                                    continuation.yield(.attemptEnded(pool: fields[1], key: fields[2], attempt: attempt))
                                }
                            }
                            try await group.next()
                            group.cancelAll()
                        }
                    }
                } catch {
                    // The connection was lost: listen again shortly; readers still poll meanwhile.
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
