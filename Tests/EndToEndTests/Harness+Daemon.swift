import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A running `orbrec run` on a port the kernel chose, spoken to over real HTTP.
final class DaemonProcess: @unchecked Sendable {
    let process: Harness.Running
    let port: Int
    let harness: Harness
    let errorFile: String

    init(process: Harness.Running, port: Int, harness: Harness, errorFile: String) {
        self.process = process
        self.port = port
        self.harness = harness
        self.errorFile = errorFile
    }

    var base: String { "http://127.0.0.1:\(port)" }

    var log: String { (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? "" }

    struct Reply {
        var status: Int
        var body: String
        var headers: HTTPHeaders

        func json() throws -> Any {
            do {
                return try JSONSerialization.jsonObject(with: Data(body.utf8))
            } catch {
                throw DaemonTestError.notJSON("HTTP \(status), body \(body.prefix(500).debugDescription)")
            }
        }
        func object() throws -> [String: Any] { try json() as? [String: Any] ?? [:] }
        func array() throws -> [[String: Any]] { try json() as? [[String: Any]] ?? [] }
    }

    func request(_ method: HTTPMethod = .GET, _ path: String, token: String? = nil, headers: [(String, String)] = [],
                 body: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.body = .bytes(ByteBuffer(string: body))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 32 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: body), headers: response.headers)
    }

    func get(_ path: String, token: String? = nil) async throws -> Reply { try await request(.GET, path, token: token) }

    /// Polls `check` until it returns a value, failing the test after `timeout` seconds.
    func eventually<T>(_ what: String, timeout: Double = 15, _ check: () async throws -> T?) async throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let value = try await check() { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out after \(timeout)s waiting for \(what)\n--- daemon log ---\n\(log.suffix(4000))")
        throw DaemonTestError.timeout(what)
    }

    func actions() async throws -> [[String: Any]] { try await get("/api/v1/actions").array() }

    func signal(_ number: Int32) { kill(process.pid, number) }

    private var result: Harness.Result?

    /// Sends SIGTERM and waits for the exit (once; later calls return the same result).
    func stop(timeout: Double = 30) throws -> Harness.Result {
        if let result { return result }
        signal(SIGTERM)
        let ended = try process.wait(timeout: timeout)
        result = ended
        return ended
    }
}

enum DaemonTestError: Error { case timeout(String), noPort(String), notJSON(String) }

/// An open Server-Sent Events stream, read in the background.
final class EventStreamReader: @unchecked Sendable {
    struct Event: Equatable {
        var id: Int64
        var kind: String
        var data: [String: String]
    }

    private let lock = NSLock()
    private var events: [Event] = []
    private var task: Task<Void, Never>?
    private(set) var status = 0

    static func open(_ url: String, lastEventID: Int64? = nil) async throws -> EventStreamReader {
        let reader = EventStreamReader()
        var request = HTTPClientRequest(url: url)
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: String(lastEventID)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
        reader.status = Int(response.status.code)
        reader.task = Task {
            var pending = ""
            do {
                for try await buffer in response.body {
                    pending += String(buffer: buffer)
                    while let end = pending.range(of: "\n\n") {
                        let block = String(pending[..<end.lowerBound])
                        pending = String(pending[end.upperBound...])
                        if let event = Self.parse(block) { reader.append(event) }
                    }
                }
            } catch {}
        }
        return reader
    }

    static func parse(_ block: String) -> Event? {
        var id: Int64?, kind = "message", data = ""
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
            else if line.hasPrefix("event: ") { kind = String(line.dropFirst(7)) }
            else if line.hasPrefix("data: ") { data += line.dropFirst(6) }
        }
        guard let id, let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else { return nil }
        var fields: [String: String] = [:]
        for (key, value) in object { fields[key] = "\(value)" }
        return Event(id: id, kind: kind, data: fields)
    }

    private func append(_ event: Event) { lock.withLock { events.append(event) } }

    var received: [Event] { lock.withLock { events } }

    func close() { task?.cancel() }

    deinit { task?.cancel() }
}

extension Harness {
    /// Starts `orbrec run` on 127.0.0.1 with a port the kernel picks, and waits until it listens.
    func startDaemon(_ extra: [String] = [], environment: [String: String] = [:], listen: String = "127.0.0.1:0") throws -> DaemonProcess {
        let process = try start(["run", "-c", config, "--state", state, "--listen", listen, "--log-level", "debug"] + extra,
                                environment: environment)
        let errorFile = process.errorFile
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let log = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
            if let line = log.split(separator: "\n").first(where: { $0.contains("msg=listening") }),
               let address = line.split(separator: " ").first(where: { $0.hasPrefix("address=") }),
               let port = Int(address.split(separator: ":").last ?? "") {
                return DaemonProcess(process: process, port: port, harness: self, errorFile: errorFile)
            }
            var status: Int32 = 0
            if waitpid(process.pid, &status, WNOHANG) == process.pid {
                throw DaemonTestError.noPort("orbrec run exited (status \(status)) before listening:\n\(log)")
            }
            usleep(10_000)
        }
        process.kill9()
        throw DaemonTestError.noPort("orbrec run did not listen within 30s")
    }
}
