import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to the daemon, for what an HTTP client library will not send: two
/// `Host` headers, half a request line, a body that trickles in, a chosen source address.
final class RawHTTPConnection {
    private var descriptor: Int32
    private var pending = Data()

    struct Response {
        var status: Int
        var head: String
        var body: String

        func errorCode() -> String? {
            let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            return (object?["error"] as? [String: Any])?["code"] as? String
        }
    }

    enum Failure: Error { case system(String, Int32), closedBeforeAnswer(String), timeout(String) }

    /// Connects to 127.0.0.1:`port` from `source` (any address of 127.0.0.0/8 is this host's).
    init(port: Int, from source: String = "127.0.0.1") throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure.system("socket", errno) }
        var local = Self.address(source, port: 0)
        var remote = Self.address("127.0.0.1", port: port)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { let code = errno; Glibc.close(descriptor); throw Failure.system("bind \(source)", code) }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { let code = errno; Glibc.close(descriptor); throw Failure.system("connect", code) }
    }

    deinit { if descriptor >= 0 { Glibc.close(descriptor) } }

    private static func address(_ text: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, text, &address.sin_addr)
        return address
    }

    /// Sends every byte; false when the daemon has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool { send(Data(text.utf8)) }

    @discardableResult
    func send(_ data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
    }

    private enum Read { case bytes(Data), nothingYet, closed }

    /// Waits up to `timeout` seconds for bytes; the end of the stream or a reset is `closed`.
    private func receive(timeout: Double) -> Read {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(max(0, timeout) * 1000)) > 0 else { return .nothingYet }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? .bytes(Data(buffer[0..<count])) : .closed
    }

    /// Reads one answer (head, and a body of `Content-Length` bytes).
    func response(timeout: Double = 10) throws -> Response {
        let deadline = Date().addingTimeInterval(timeout)
        func more() throws {
            guard Date() < deadline else { throw Failure.timeout("no whole answer within \(timeout)s: \(String(decoding: pending, as: UTF8.self))") }
            switch receive(timeout: deadline.timeIntervalSinceNow) {
            case .bytes(let chunk): pending.append(chunk)
            case .nothingYet: break
            case .closed: throw Failure.closedBeforeAnswer(String(decoding: pending, as: UTF8.self))
            }
        }
        var headEnd: Range<Data.Index>?
        while true {
            headEnd = pending.range(of: Data("\r\n\r\n".utf8))
            if headEnd != nil { break }
            try more()
        }
        let head = String(decoding: pending[..<headEnd!.lowerBound], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        let length = head.split(separator: "\r\n").compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        let bodyStart = headEnd!.upperBound
        while pending.count - (bodyStart - pending.startIndex) < length { try more() }
        let body = String(decoding: pending[bodyStart..<(bodyStart + length)], as: UTF8.self)
        pending = Data(pending[(bodyStart + length)...])
        return Response(status: status, head: head, body: body)
    }

    /// Seconds until the daemon closes the connection (reading and dropping what it sends),
    /// or nil if it is still open after `timeout`.
    func secondsUntilClosed(within timeout: Double) -> Double? {
        let start = Date()
        while true {
            let left = timeout - Date().timeIntervalSince(start)
            guard left > 0 else { return nil }
            if case .closed = receive(timeout: left) { return Date().timeIntervalSince(start) }
        }
    }

    /// Closes this end: with `reset`, at once with an RST (SO_LINGER 0), as a crashed client's kernel would.
    func close(reset: Bool = false) {
        guard descriptor >= 0 else { return }
        if reset {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
        Glibc.close(descriptor)
        descriptor = -1
    }
}
