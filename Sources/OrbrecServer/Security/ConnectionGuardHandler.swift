internal import NIOCore
internal import NIOHTTPTypes

/// Watches one connection, between the HTTP parser and the server:
/// - A request must arrive whole (head to end of body) within `requestTimeout`, or the
///   connection is closed. The idle timeout alone restarts at every body part, so a client
///   sending a byte just before each timeout would hold the connection for ever; after an
///   early answer (413, or a route that ignores its body) the server still reads the body to
///   its end.
/// - It notes when the client has gone, for an event stream to give its slot back at once.
///   A stream writes only on news or a heartbeat (every 15 s), so a failed write would tell
///   late. The server allows half-closure, so a client's close arrives as `inputClosed` while
///   the connection is still open.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let departure = ClientDeparture()
    private let requestTimeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(requestTimeout: TimeAmount) {
        self.requestTimeout = requestTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: requestTimeout) { context.close(promise: nil) }
        case .body:
            break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { departure.mark() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        departure.mark()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    /// The departure of the connection `channel`, read on its event loop (where the pipeline lives).
    static func departure(of channel: any Channel) async -> ClientDeparture? {
        try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: ConnectionGuardHandler.self).departure
        }.get()
    }
}
