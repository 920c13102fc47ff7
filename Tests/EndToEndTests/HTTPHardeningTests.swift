import Foundation
import NIOHTTP1
import Testing

/// What a hostile or broken client can cost the daemon's HTTP server: bodies over the limit,
/// connections that never finish a request, event streams held by clients that are gone or
/// greedy, and ambiguous `Host` headers. Spoken over real sockets to `orbrec run`.
@Suite("HTTP hardening", .serialized)
struct HTTPHardeningTests {
    static let token = "http-hardening-token-0123456789abcdef"
    static let pool = """
        apiVersion: orbrec/v1
        kind: TaskPool
        metadata: {name: jobs}
        spec: {mode: pull, range: {from: 1, to: 2}}
        """

    static func start(_ harness: Harness, _ extra: [String] = []) async throws -> DaemonProcess {
        try harness.write("pool.yaml", pool)
        let daemon = try harness.startDaemon(extra, environment: ["ORBREC_TOKEN": token])
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }
        return daemon
    }

    static func head(_ method: String, _ path: String, _ fields: [String] = []) -> String {
        ([method + " " + path + " HTTP/1.1", "Host: 127.0.0.1", "Authorization: Bearer \(token)"] + fields)
            .joined(separator: "\r\n") + "\r\n\r\n"
    }

    @Test("a body over 1 MiB is 413 too-large on every route, announced or chunked, from a raw socket or a client library; never 500")
    func oversizedBodies() async throws {
        let harness = try Harness()
        let daemon = try await Self.start(harness)
        defer { _ = try? daemon.stop() }

        let routes = [("POST", "/mcp"), ("POST", "/api/v1/reconcile"), ("POST", "/api/v1/pools/jobs/claim"),
                      ("POST", "/api/v1/tasks/jobs:1/heartbeat"), ("POST", "/api/v1/tasks/jobs:1/complete"),
                      ("POST", "/api/v1/tasks/jobs:1/fail"), ("POST", "/api/v1/tasks/jobs:1/release"),
                      ("GET", "/api/v1/machines"), ("GET", "/healthz"), ("GET", "/api/v1/nothing")]
        for (method, path) in routes {
            // Announced by Content-Length: refused before a byte of it is sent.
            let connection = try RawHTTPConnection(port: daemon.port)
            connection.send(Self.head(method, path, ["Content-Type: application/json", "Content-Length: \(2 << 20)"]))
            let answer = try connection.response()
            #expect(answer.status == 413 && answer.errorCode() == "too-large", "\(method) \(path): \(answer.head)\n\(answer.body)")
        }
        for path in ["/mcp", "/api/v1/pools/jobs/claim", "/api/v1/tasks/jobs:1/complete"] {
            // Chunked: no length up front; the route stops reading at the limit.
            let connection = try RawHTTPConnection(port: daemon.port)
            connection.send(Self.head("POST", path, ["Content-Type: application/json", "Accept: application/json, text/event-stream",
                                                     "Transfer-Encoding: chunked"]))
            let chunk = String(repeating: "x", count: 64 << 10)
            for _ in 0..<18 { connection.send(String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n") }
            connection.send("0\r\n\r\n")
            let answer = try connection.response()
            #expect(answer.status == 413 && answer.errorCode() == "too-large", "chunked \(path): \(answer.head)\n\(answer.body)")
        }
        // What the probe sent: a JSON-RPC message padded past 1 MiB, from an HTTP client.
        let padded = #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":""# + String(repeating: "x", count: 1 << 20) + #""}}"#
        let refused = try await daemon.request(.POST, "/mcp", token: Self.token,
                                               headers: [("Accept", "application/json, text/event-stream")], body: padded)
        #expect(refused.status == 413, "\(refused.body.prefix(300))")
        #expect((try refused.object()["error"] as? [String: Any])?["code"] as? String == "too-large", "\(refused.body.prefix(300))")
        // A body just under the limit is still read.
        let under = #"{"worker":"w","pad":""# + String(repeating: "x", count: (1 << 20) - 100) + #""}"#
        #expect(try await daemon.request(.POST, "/api/v1/pools/jobs/claim", token: Self.token, body: under).status == 200)

        #expect(!daemon.log.contains("request failed"), "\(daemon.log.suffix(2000))")
        #expect(try await daemon.get("/healthz").status == 200)
    }

    @Test("connections that never finish a request are closed within the idle timeout (header, keep-alive, body); event streams are not")
    func slowConnectionsAreClosed() async throws {
        let harness = try Harness()
        let daemon = try await Self.start(harness, ["--http-idle-timeout", "1s"])
        defer { _ = try? daemon.stop() }
        let bound = 5.0

        // The probe's 200 slow connections: silent, or half a request line.
        let opened = Date()
        let silent = try (0..<200).map { _ in try RawHTTPConnection(port: daemon.port) }
        let partial = try RawHTTPConnection(port: daemon.port)
        partial.send("GET /healthz HTT")
        for (index, connection) in (silent + [partial]).enumerated() {
            let left = bound - Date().timeIntervalSince(opened)
            #expect(connection.secondsUntilClosed(within: max(0.1, left)) != nil, "connection \(index) still open after \(bound)s")
        }
        #expect(Date().timeIntervalSince(opened) >= 0.9, "closed before the timeout")

        // A request head sent a byte at a time never completes: the bytes do not reset the timeout.
        let drip = try RawHTTPConnection(port: daemon.port)
        let request = Array(Self.head("GET", "/healthz", (0..<50).map { "X-Pad-\($0): padding" }).utf8)
        let dripStart = Date()
        var closedAfter: Double?
        for byte in request where closedAfter == nil && Date().timeIntervalSince(dripStart) < bound {
            drip.send(Data([byte]))
            if drip.secondsUntilClosed(within: 0.2) != nil { closedAfter = Date().timeIntervalSince(dripStart) }
        }
        #expect(closedAfter != nil, "a request head dripped a byte each 0.2s was still open after \(bound)s")

        // An idle keep-alive connection, after a whole request and its answer.
        let idle = try RawHTTPConnection(port: daemon.port)
        idle.send(Self.head("GET", "/healthz"))
        #expect(try idle.response().status == 200)
        #expect(idle.secondsUntilClosed(within: bound) != nil, "an idle keep-alive connection stayed open")

        // A body that trickles in (each part well within the idle timeout) is cut at twice it,
        // on a route that reads the body and on one that answers first and drains it.
        for path in ["/api/v1/pools/jobs/claim", "/api/v1/reconcile"] {
            let slow = try RawHTTPConnection(port: daemon.port)
            slow.send(Self.head("POST", path, ["Content-Type: application/json", "Content-Length: 1000"]))
            let start = Date()
            var cut: Double?
            while cut == nil && Date().timeIntervalSince(start) < bound + 2 {
                guard slow.send(" ") else { cut = Date().timeIntervalSince(start); break }
                if slow.secondsUntilClosed(within: 0.3) != nil { cut = Date().timeIntervalSince(start) }
            }
            #expect(cut != nil && cut! >= 1.5, "POST \(path) with a trickling body: cut after \(String(describing: cut))s")
        }

        // An event stream is an answer in progress, not an idle connection.
        let stream = try RawHTTPConnection(port: daemon.port)
        stream.send(Self.head("GET", "/api/v1/events", ["Accept: text/event-stream"]))
        #expect(try stream.response().status == 200)
        #expect(stream.secondsUntilClosed(within: 3) == nil, "the event stream was closed by the idle timeout")
        #expect(try await daemon.get("/healthz").status == 200)
    }

    @Test("event-stream slots: capped per remote address (429) and in all (503), and given back as soon as the client is gone")
    func eventStreamSlots() async throws {
        let harness = try Harness()
        let daemon = try await Self.start(harness, ["--event-streams", "3", "--event-streams-per-client", "2"])
        defer { _ = try? daemon.stop() }

        func open(from source: String) throws -> (RawHTTPConnection, RawHTTPConnection.Response) {
            let connection = try RawHTTPConnection(port: daemon.port, from: source)
            connection.send("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            return (connection, try connection.response())
        }
        /// Seconds until a stream from `source` is served, or nil after 10 s.
        func secondsUntilServed(from source: String) throws -> (Double, RawHTTPConnection)? {
            let start = Date()
            while Date().timeIntervalSince(start) < 10 {
                let (connection, answer) = try open(from: source)
                if answer.status == 200 { return (Date().timeIntervalSince(start), connection) }
                try? Thread.sleep(forTimeInterval: 0.05)
            }
            return nil
        }

        let (first, firstAnswer) = try open(from: "127.0.0.1")
        let (second, secondAnswer) = try open(from: "127.0.0.1")
        #expect(firstAnswer.status == 200 && secondAnswer.status == 200)
        let (_, third) = try open(from: "127.0.0.1")
        #expect(third.status == 429 && third.errorCode() == "too-many-streams-per-client", "\(third.head)\n\(third.body)")
        let (other, otherAnswer) = try open(from: "127.0.0.2")
        #expect(otherAnswer.status == 200, "another address still gets a stream")
        let (_, full) = try open(from: "127.0.0.3")
        #expect(full.status == 503 && full.errorCode() == "too-many-streams", "\(full.head)\n\(full.body)")

        // A client that closes its connection gives its slot back at once (within a poll of
        // the journal, 100 ms), not at the next heartbeat (15 s) or write. The bound leaves
        // room for a loaded machine.
        first.close()
        let afterClose = try #require(try secondsUntilServed(from: "127.0.0.3"), "no slot came back after a client closed")
        #expect(afterClose.0 < 5, "a closed client's slot came back after \(afterClose.0)s")
        // The same for a connection reset (a crashed client).
        other.close(reset: true)
        let afterReset = try #require(try secondsUntilServed(from: "127.0.0.4"), "no slot came back after a reset")
        #expect(afterReset.0 < 5, "a reset client's slot came back after \(afterReset.0)s")
        // The address whose stream closed may open one again (the per-client count went down too).
        second.close()
        let again = try #require(try secondsUntilServed(from: "127.0.0.1"))
        #expect(again.0 < 5)
        #expect(!daemon.log.contains("request failed"), "\(daemon.log.suffix(2000))")
        _ = (afterClose.1, afterReset.1, again.1)
    }

    @Test("two Host headers are 400 duplicate-host, whichever comes first")
    func duplicateHostHeaders() async throws {
        let harness = try Harness()
        let daemon = try await Self.start(harness)
        defer { _ = try? daemon.stop() }

        for hosts in [["127.0.0.1", "evil.example"], ["evil.example", "127.0.0.1"], ["127.0.0.1", "127.0.0.1"]] {
            for path in ["/healthz", "/api/v1/machines"] {
                let connection = try RawHTTPConnection(port: daemon.port)
                connection.send("GET \(path) HTTP/1.1\r\n" + hosts.map { "Host: \($0)\r\n" }.joined() + "\r\n")
                let answer = try connection.response()
                #expect(answer.status == 400 && answer.errorCode() == "duplicate-host", "\(hosts) \(path): \(answer.head)\n\(answer.body)")
            }
        }
        // One Host is served as before: a loopback name answered, another one misdirected.
        for (host, status) in [("127.0.0.1", 200), ("localhost:80", 200), ("evil.example", 421)] {
            let connection = try RawHTTPConnection(port: daemon.port)
            connection.send("GET /healthz HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            #expect(try connection.response().status == status, "Host: \(host)")
        }
    }
}
