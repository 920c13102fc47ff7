internal import Dispatch
internal import Glibc

/// SIGTERM, SIGINT and SIGHUP as a stream: the signals are ignored at the process level
/// and delivered through dispatch sources, so the daemon decides what each one means.
enum SignalEvents {
    static func stream(_ signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]) -> AsyncStream<Int32> {
        AsyncStream { continuation in
            let queue = DispatchQueue(label: "orbrec.signals")
            var sources: [any DispatchSourceSignal] = []
            for number in signals {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                sources.append(source)
            }
            let held = SourcesBox(sources)
            continuation.onTermination = { _ in held.cancel() }
        }
    }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}

/// Keeps the dispatch sources alive as long as the stream.
private final class SourcesBox: @unchecked Sendable {
    // Only touched at creation and once at termination.
    let sources: [any DispatchSourceSignal]
    init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }
    func cancel() { for source in sources { source.cancel() } }
}
