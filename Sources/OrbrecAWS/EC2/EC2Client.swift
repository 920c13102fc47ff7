public import OrbrecCore
internal import AsyncHTTPClient
public import Foundation
internal import NIOCore
internal import NIOHTTP1
internal import Synchronization

/// Sends EC2 Query calls: form-encoded POST, SigV4-signed, XML answers. Throttling, server
/// errors and an unreachable endpoint are retried with exponential backoff; client errors
/// are not. Every failure is an `EC2Error` with AWS's code and message, never a credential.
public struct EC2Client: Sendable {
    public let endpoint: URL
    let signer: SigV4Signer
    let clock: any Clock
    public let maxAttempts: Int
    public let initialBackoff: ConfigDuration

    /// Counts calls, for the benchmark's report.
    public let calls = CallCounter()

    public init(endpoint: URL, signer: SigV4Signer, clock: any Clock, maxAttempts: Int = 4,
                initialBackoff: ConfigDuration = ConfigDuration(milliseconds: 200)) {
        self.endpoint = endpoint
        self.signer = signer
        self.clock = clock
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
    }

    /// One client for the process. Connection failures are not retried inside the pool (its
    /// default waits out the whole request deadline on a refused connection): `send` retries
    /// them itself, with backoff and a count.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The standard endpoint of a region.
    public static func endpoint(region: String) -> URL {
        URL(string: "https://ec2.\(region).amazonaws.com/")!
    }

    public func send(_ request: EC2Request) async throws(EC2Error) -> XMLTree {
        var attempt = 1
        while true {
            do throws(EC2Error) {
                return try await sendOnce(request)
            } catch {
                guard error.isRetryable, attempt < maxAttempts else { throw error }
                let delay = Double(initialBackoff.milliseconds) * pow(2, Double(attempt - 1)) * Double.random(in: 0.8...1.2)
                try? await Task.sleep(for: .milliseconds(Int64(delay)))
                attempt += 1
            }
        }
    }

    private func sendOnce(_ request: EC2Request) async throws(EC2Error) -> XMLTree {
        calls.increment()
        let body = Array(request.body.utf8)
        let host = endpoint.port.map { "\(endpoint.host ?? ""):\($0)" } ?? (endpoint.host ?? "")
        let headers: [(String, String)] = [("Host", host), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
        let signed = signer.sign(.init(method: "POST", path: endpoint.path.isEmpty ? "/" : endpoint.path, headers: headers, body: body),
                                 at: clock.now())
        var http = HTTPClientRequest(url: endpoint.absoluteString)
        http.method = .POST
        for (name, value) in headers + signed { http.headers.add(name: name, value: value) }
        http.body = .bytes(ByteBuffer(bytes: body))
        let status: Int
        let data: Data
        do {
            let response = try await Self.http.execute(http, timeout: .seconds(30))
            status = Int(response.status.code)
            let buffer = try await response.body.collect(upTo: 32 << 20)
            data = Data(buffer.readableBytesView)
        } catch {
            throw EC2Error(status: 0, code: "EndpointUnreachable", message: "cannot reach \(endpoint.absoluteString): \(error)")
        }
        guard (200..<300).contains(status) else { throw EC2Error.parse(status: status, body: data) }
        guard let tree = XMLTree.parse(data) else {
            throw EC2Error(status: status, code: "MalformedAnswer", message: "the answer to \(request.action) is not XML")
        }
        return tree
    }
}

/// A thread-safe count of API calls.
public final class CallCounter: Sendable {
    private let value = Mutex(0)

    func increment() { value.withLock { $0 += 1 } }

    public var count: Int { value.withLock { $0 } }
}

