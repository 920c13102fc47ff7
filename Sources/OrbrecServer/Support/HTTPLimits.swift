/// What one client may cost the daemon's HTTP server. A client that exceeds a limit gets an
/// answer (413, 429, 503) or a closed connection; the daemon's own work never waits on it.
public struct HTTPLimits: Sendable {
    /// The largest request body read, on every route: more is 413 `too-large`.
    public var maxBody: Int
    /// How long a connection may go without a whole request head or body part: bounds a client
    /// that sends a request line slowly (or nothing), and an idle keep-alive connection.
    public var idleTimeout: Duration
    /// How long one request may take to arrive whole, head to end of body, however steadily it
    /// trickles in; then the connection is closed.
    public var requestTimeout: Duration
    /// Connections open at once. Beyond it new ones wait in the kernel's backlog: slow clients
    /// cannot take the descriptors the state file and the machines' logs need.
    public var maxConnections: Int
    /// Event streams served at once, and from one remote address.
    public var eventStreams: Int
    public var eventStreamsPerClient: Int

    public init(maxBody: Int = 1 << 20, idleTimeout: Duration = .seconds(30), requestTimeout: Duration = .seconds(60),
                maxConnections: Int = 512, eventStreams: Int = 64, eventStreamsPerClient: Int = 16) {
        self.maxBody = maxBody
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
        self.eventStreams = eventStreams
        self.eventStreamsPerClient = eventStreamsPerClient
    }
}
