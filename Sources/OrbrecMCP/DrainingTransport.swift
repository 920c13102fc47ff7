internal import Foundation
internal import Logging
internal import MCP

/// A transport that, when its input ends, stays open until every request it read has been
/// answered: `printf '…' | orbrec mcp` gets all its answers, and a client that closes its
/// end after its last request still receives the reply.
actor DrainingTransport: Transport {
    private let inner: any Transport
    nonisolated let logger: Logger
    /// Requests read and not yet answered, by id.
    private var unanswered: Set<String> = []
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ inner: any Transport, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    func connect() async throws { try await inner.connect() }

    func disconnect() async { await inner.disconnect() }

    func send(_ data: Data) async throws {
        try await inner.send(data)
        for message in Self.messages(in: data) where message["method"] == nil {
            if let id = message["id"].flatMap(Self.key) { unanswered.remove(id) }
        }
        if unanswered.isEmpty { resumeWaiting() }
    }

    nonisolated func receive() -> AsyncThrowingStream<Data, any Swift.Error> {
        AsyncThrowingStream { continuation in
            let reader = Task {
                do {
                    for try await data in await inner.receive() {
                        await noteRequests(in: data)
                        continuation.yield(data)
                    }
                    await drained()
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    private func noteRequests(in data: Data) {
        for message in Self.messages(in: data) where message["method"] != nil {
            if let id = message["id"].flatMap(Self.key) { unanswered.insert(id) }
        }
    }

    private func drained() async {
        guard !unanswered.isEmpty else { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func resumeWaiting() {
        let resumed = waiting
        waiting = []
        for continuation in resumed { continuation.resume() }
    }

    /// The JSON-RPC messages of one line: an object, or a batch of them.
    static func messages(in data: Data) -> [[String: Value]] {
        guard let value = try? JSONDecoder().decode(Value.self, from: data) else { return [] }
        switch value {
        case .object(let object): return [object]
        case .array(let items): return items.compactMap(\.objectValue)
        default: return []
        }
    }

    static func key(_ id: Value) -> String? {
        switch id {
        case .string(let text): "s:" + text
        case .int(let number): "n:\(number)"
        default: nil
        }
    }
}
