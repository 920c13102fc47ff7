import Glibc

/// A loopback TCP port nobody listens on: bound for a moment to learn a free one, then closed,
/// so a connection there is refused.
enum ClosedPort {
    struct Failed: Error { var call: String }

    static func find() throws -> Int {
        let socket = try LoopbackSocket()
        defer { socket.close() }
        return socket.port
    }
}

/// A loopback port whose listener takes connections (the kernel completes them) but never
/// reads or answers: a server that hangs.
final class SilentListener: Sendable {
    private let socket: LoopbackSocket
    var port: Int { socket.port }

    init() throws {
        socket = try LoopbackSocket()
        guard Glibc.listen(socket.descriptor, 16) == 0 else { throw ClosedPort.Failed(call: "listen") }
    }

    func close() { socket.close() }
}

/// A TCP socket bound to 127.0.0.1 on a port the kernel picks.
struct LoopbackSocket: Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClosedPort.Failed(call: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else {
            Glibc.close(fd)
            throw ClosedPort.Failed(call: "bind")
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { Glibc.close(descriptor) }
}
