internal import Hummingbird
internal import NIOCore

/// The request context of the daemon's routes: Hummingbird's, plus the connection the request
/// came on, so an event stream can tell when its client has gone and whose slots it counts against.
struct ServerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// The token the request presented, once AuthMiddleware has found it.
    var caller: TokenEntry?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The client's address without its port: what the per-client bounds count by.
    var client: String { channel.remoteAddress?.ipAddress ?? "unknown" }
}
