internal import Glibc

/// Bytes read from a descriptor, handed out a complete line at a time.
struct LineBuffer {
    enum Fill { case data, again, closed }

    private var bytes: [UInt8] = []
    private var start = 0

    /// Reads what the descriptor has now.
    mutating func fill(from fd: Int32) -> Fill {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            if start > 0 && start == bytes.count {
                bytes.removeAll(keepingCapacity: true)
                start = 0
            }
            bytes += chunk[0..<count]
            return .data
        }
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return .again }
        return .closed
    }

    /// The next complete line, without its newline.
    mutating func nextLine() -> ArraySlice<UInt8>? {
        guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            if start > 65536 {
                bytes.removeFirst(start)
                start = 0
            }
            return nil
        }
        let line = bytes[start..<end]
        start = end + 1
        return line
    }
}
